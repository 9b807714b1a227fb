// --json: the JSON writer's escaping and layout, and the listings as JSON
// against golden documents (laid out as Python's json.dumps(doc, indent=2)
// lays them out).
#include <gtest/gtest.h>

#include <algorithm>

#include "error.h"
#include "format/json.h"
#include "format/list_json.h"
#include "test_list_golden_table.h"

using namespace lvs;

namespace {

std::string json_listing(const Config& cfg, const std::vector<std::string>& args) {
    return test::list_by_args(test::golden_data(cfg), args, format_list_json);
}

std::string json_listing(const std::vector<std::string>& args) { return json_listing(test::golden_table(), args); }

const std::string kGoldenJson =
    "{\n"
    "  \"ipvs_version\": \"1.2.1\",\n"
    "  \"conn_table_size\": 4096,\n"
    "  \"services\": [\n"
    "    {\n"
    "      \"protocol\": \"TCP\",\n"
    "      \"address\": \"192.168.88.250\",\n"
    "      \"port\": 80,\n"
    "      \"scheduler\": \"wrr\",\n"
    "      \"sched_flags\": [],\n"
    "      \"persistent\": null,\n"
    "      \"stats\": {\n"
    "        \"conns\": 99999999,\n"
    "        \"inpkts\": 100000000,\n"
    "        \"outpkts\": 999999999,\n"
    "        \"inbytes\": 1000000000,\n"
    "        \"outbytes\": 99999999999\n"
    "      },\n"
    "      \"rates\": {\n"
    "        \"cps\": 99999999,\n"
    "        \"inpps\": 100000000,\n"
    "        \"outpps\": 5,\n"
    "        \"inbps\": 1000000000,\n"
    "        \"outbps\": 100000000000000\n"
    "      },\n"
    "      \"servers\": [\n"
    "        {\n"
    "          \"address\": \"192.168.88.50\",\n"
    "          \"port\": 80,\n"
    "          \"forward\": \"Route\",\n"
    "          \"weight\": 3,\n"
    "          \"u_threshold\": 100,\n"
    "          \"l_threshold\": 10,\n"
    "          \"activeconns\": 11,\n"
    "          \"inactconns\": 22,\n"
    "          \"persistconns\": 2,\n"
    "          \"tunnel\": null,\n"
    "          \"stats\": {\n"
    "            \"conns\": 100000000000,\n"
    "            \"inpkts\": 99999999999999,\n"
    "            \"outpkts\": 100000000000000,\n"
    "            \"inbytes\": 0,\n"
    "            \"outbytes\": 7\n"
    "          },\n"
    "          \"rates\": {\n"
    "            \"cps\": 123456789,\n"
    "            \"inpps\": 42,\n"
    "            \"outpps\": 0,\n"
    "            \"inbps\": 99999999,\n"
    "            \"outbps\": 100000000\n"
    "          }\n"
    "        },\n"
    "        {\n"
    "          \"address\": \"192.168.88.51\",\n"
    "          \"port\": 80,\n"
    "          \"forward\": \"Tunnel\",\n"
    "          \"weight\": 1,\n"
    "          \"u_threshold\": 0,\n"
    "          \"l_threshold\": 0,\n"
    "          \"activeconns\": 12,\n"
    "          \"inactconns\": 24,\n"
    "          \"persistconns\": 0,\n"
    "          \"tunnel\": {\n"
    "            \"type\": \"gue\",\n"
    "            \"port\": 6080,\n"
    "            \"checksum\": \"csum\"\n"
    "          },\n"
    "          \"stats\": {\n"
    "            \"conns\": 1,\n"
    "            \"inpkts\": 2,\n"
    "            \"outpkts\": 3,\n"
    "            \"inbytes\": 4,\n"
    "            \"outbytes\": 5\n"
    "          },\n"
    "          \"rates\": {\n"
    "            \"cps\": 7,\n"
    "            \"inpps\": 8,\n"
    "            \"outpps\": 9,\n"
    "            \"inbps\": 10,\n"
    "            \"outbps\": 11\n"
    "          }\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"protocol\": \"TCP\",\n"
    "      \"address\": \"192.168.88.250\",\n"
    "      \"port\": 443,\n"
    "      \"scheduler\": \"sh\",\n"
    "      \"sched_flags\": [\n"
    "        \"sh-port\"\n"
    "      ],\n"
    "      \"persistent\": {\n"
    "        \"timeout\": 600,\n"
    "        \"netmask\": \"255.255.255.0\"\n"
    "      },\n"
    "      \"stats\": {\n"
    "        \"conns\": 5,\n"
    "        \"inpkts\": 6,\n"
    "        \"outpkts\": 7,\n"
    "        \"inbytes\": 8,\n"
    "        \"outbytes\": 9\n"
    "      },\n"
    "      \"rates\": {\n"
    "        \"cps\": 1,\n"
    "        \"inpps\": 2,\n"
    "        \"outpps\": 3,\n"
    "        \"inbps\": 4,\n"
    "        \"outbps\": 5\n"
    "      },\n"
    "      \"servers\": [\n"
    "        {\n"
    "          \"address\": \"10.0.1.11\",\n"
    "          \"port\": 443,\n"
    "          \"forward\": \"Masq\",\n"
    "          \"weight\": 2,\n"
    "          \"u_threshold\": 0,\n"
    "          \"l_threshold\": 0,\n"
    "          \"activeconns\": 13,\n"
    "          \"inactconns\": 26,\n"
    "          \"persistconns\": 1,\n"
    "          \"tunnel\": null,\n"
    "          \"stats\": {\n"
    "            \"conns\": 0,\n"
    "            \"inpkts\": 0,\n"
    "            \"outpkts\": 0,\n"
    "            \"inbytes\": 0,\n"
    "            \"outbytes\": 0\n"
    "          },\n"
    "          \"rates\": {\n"
    "            \"cps\": 0,\n"
    "            \"inpps\": 0,\n"
    "            \"outpps\": 0,\n"
    "            \"inbps\": 0,\n"
    "            \"outbps\": 0\n"
    "          }\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"protocol\": \"UDP\",\n"
    "      \"address\": \"192.168.88.250\",\n"
    "      \"port\": 53,\n"
    "      \"scheduler\": \"rr\",\n"
    "      \"sched_flags\": [],\n"
    "      \"persistent\": null,\n"
    "      \"stats\": {\n"
    "        \"conns\": 0,\n"
    "        \"inpkts\": 0,\n"
    "        \"outpkts\": 0,\n"
    "        \"inbytes\": 0,\n"
    "        \"outbytes\": 0\n"
    "      },\n"
    "      \"rates\": {\n"
    "        \"cps\": 0,\n"
    "        \"inpps\": 0,\n"
    "        \"outpps\": 0,\n"
    "        \"inbps\": 0,\n"
    "        \"outbps\": 0\n"
    "      },\n"
    "      \"servers\": [\n"
    "        {\n"
    "          \"address\": \"10.0.1.12\",\n"
    "          \"port\": 5353,\n"
    "          \"forward\": \"Masq\",\n"
    "          \"weight\": 1,\n"
    "          \"u_threshold\": 0,\n"
    "          \"l_threshold\": 0,\n"
    "          \"activeconns\": 14,\n"
    "          \"inactconns\": 28,\n"
    "          \"persistconns\": 2,\n"
    "          \"tunnel\": null,\n"
    "          \"stats\": {\n"
    "            \"conns\": 10,\n"
    "            \"inpkts\": 20,\n"
    "            \"outpkts\": 30,\n"
    "            \"inbytes\": 40,\n"
    "            \"outbytes\": 50\n"
    "          },\n"
    "          \"rates\": {\n"
    "            \"cps\": 1,\n"
    "            \"inpps\": 1,\n"
    "            \"outpps\": 1,\n"
    "            \"inbps\": 100,\n"
    "            \"outbps\": 100\n"
    "          }\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

}  // namespace

TEST(JsonWriter, EscapesWhatJsonRequires) {
    EXPECT_EQ(json_quote("plain"), "\"plain\"");
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    EXPECT_EQ(json_quote(std::string("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
    EXPECT_EQ(json_quote("/\x7f"), "\"/\x7f\"");  // neither needs escaping
}

TEST(JsonWriter, KeepsUtf8AndReplacesInvalidBytes) {
    EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    const std::string fffd = "\xef\xbf\xbd";
    EXPECT_EQ(json_quote("a\xff"), "\"a" + fffd + "\"");          // never valid
    EXPECT_EQ(json_quote("\xc3"), "\"" + fffd + "\"");             // cut short
    EXPECT_EQ(json_quote("\xc0\xaf"), "\"" + fffd + fffd + "\"");  // overlong '/'
    EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // a surrogate
}

TEST(JsonWriter, LayoutAndEmptyContainers) {
    JsonWriter w;
    w.begin_object();
    w.key("a").value(uint32_t{1});
    w.key("b").begin_array().end_array();
    w.key("c").begin_object().end_object();
    w.key("d").begin_array().value(true).null().value("x").end_array();
    w.end_object();
    EXPECT_EQ(w.finish(), "{\n  \"a\": 1,\n  \"b\": [],\n  \"c\": {},\n  \"d\": [\n    true,\n    null,\n    \"x\"\n  ]\n}\n");
    JsonWriter open;
    open.begin_array();
    EXPECT_THROW(open.finish(), std::logic_error);
}

// Every listing form gives the same full record.
TEST(JsonListing, GoldenDocumentForEveryListing) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-L", "--json"},
             {"-L", "-n", "--json"},
             {"-L", "-n", "--stats", "--json"},
             {"-Ln", "--rate", "--exact", "--json"},
             {"-L", "--json", "--thresholds"},
             {"-L", "--persistent-conn", "--json"},
             {"-L", "--tun-info", "--json"},
             {"-L", "--nosort", "--json"}})
        EXPECT_EQ(json_listing(args), kGoldenJson) << ::testing::PrintToString(args);
}

// -t lists that service as the whole listing of a table holding it alone would.
TEST(JsonListing, OneService) {
    Config alone = test::golden_table();
    auto& services = alone.services();
    services.erase(std::remove_if(services.begin(), services.end(),
                                  [](const Service& s) { return s.key.port != 443; }),
                   services.end());
    ASSERT_EQ(services.size(), 1u);
    const std::string one = json_listing({"-L", "-n", "--json", "-t", "192.168.88.250:443"});
    EXPECT_EQ(one, json_listing(alone, {"-L", "--json"}));
    EXPECT_NE(one.find("\"sh-port\""), std::string::npos) << one;
    EXPECT_EQ(one.find("192.168.88.50"), std::string::npos) << one;
    EXPECT_THROW(json_listing({"-L", "--json", "-t", "192.168.88.250:8080"}), UserError);
}

TEST(JsonListing, Timeout) {
    EXPECT_EQ(json_listing({"-L", "--timeout", "--json"}),
              "{\n  \"timeout\": {\n    \"tcp\": 900,\n    \"tcpfin\": 120,\n    \"udp\": 300\n  }\n}\n");
}

TEST(JsonListing, EmptyTable) {
    const Config cfg;
    ListOptions o;
    o.json = true;
    EXPECT_EQ(format_list_json(ListData{.cfg = &cfg, .conn_table_size = 8}, o),
              "{\n  \"ipvs_version\": \"1.2.1\",\n  \"conn_table_size\": 8,\n  \"services\": []\n}\n");
}

TEST(JsonListing, Connections) {
    const std::vector<ConnRow> rows = {
        {.proto = Proto::Tcp, .expires_in_s = 899, .state = "ESTABLISHED",
         .client = parse_addr("192.168.88.10"), .vip = parse_addr("192.168.88.250"),
         .server = parse_addr("192.168.88.50"), .cport = 51234, .vport = 80, .sport = 80},
        {.proto = Proto::Tcp, .expires_in_s = 360, .state = "NONE",
         .client = parse_addr("192.168.88.0"), .vip = parse_addr("192.168.88.250"),
         .server = parse_addr("192.168.88.50"), .cport = 0, .vport = 80, .sport = 80,
         .persistence_template = true},
    };
    EXPECT_EQ(format_conns_json(rows), R"({
  "connections": [
    {
      "protocol": "TCP",
      "expires_in_seconds": 899,
      "state": "ESTABLISHED",
      "template": false,
      "client": {
        "address": "192.168.88.10",
        "port": 51234
      },
      "virtual": {
        "address": "192.168.88.250",
        "port": 80
      },
      "server": {
        "address": "192.168.88.50",
        "port": 80
      }
    },
    {
      "protocol": "TCP",
      "expires_in_seconds": 360,
      "state": "NONE",
      "template": true,
      "client": {
        "address": "192.168.88.0",
        "port": 0
      },
      "virtual": {
        "address": "192.168.88.250",
        "port": 80
      },
      "server": {
        "address": "192.168.88.50",
        "port": 80
      }
    }
  ]
}
)");
    EXPECT_EQ(format_conns_json({}), "{\n  \"connections\": []\n}\n");
}
