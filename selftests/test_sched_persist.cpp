// Persistence (-p, -M) on the real XDP object against the IPVS model:
// templates keep a client network on its server across connections, a server
// of weight 0 keeps its clients, and an expired template lets the client move.
#include "test_sched_fixture.h"

#include <arpa/inet.h>

#include "maps/bpf_map.h"
#include "store/store.h"

namespace lvs::test {
namespace {

class PersistTest : public SchedTest {
protected:
    void persistent_service(const std::string& extra, model::Options opts, const std::string& sched = "rr") {
        opts.flags |= LVS_SVC_F_PERSISTENT;
        service(sched, extra, opts);
        add("10.1.0.11", 1);
        add("10.1.0.12", 1);
        add("10.1.0.13", 1);
    }
    // Makes the template of client (host order, already under the netmask)
    // expire, on the director and in the model.
    void expire_template(uint32_t client_net) {
        Config cfg = Store(director().maps()).load();
        lvs_persist_key key{};
        key.client.ip4 = htonl(client_net);
        key.svc_id = cfg.services().front().id;
        HashMap<lvs_persist_key, lvs_persist> templates(director().maps().persist);
        std::optional<lvs_persist> t = templates.get(key);
        ASSERT_TRUE(t.has_value()) << "no template";
        t->expires = 1;  // long past
        templates.put(key, *t);
        model().expire_template(client_net);
    }
};

TEST_F(PersistTest, ClientStaysOnItsServerAcrossNewConnections) {
    persistent_service("-p 300", {.persist_timeout = 300});
    std::string first = syn(client(1, 1000));
    for (uint16_t port = 1001; port < 1020; ++port) {
        EXPECT_EQ(syn(client(1, port)), first);  // rr alone would go round
        ack(client(1, port));
    }
    EXPECT_NE(syn(client(2, 1000)), first);  // another client: rr's next
}

TEST_F(PersistTest, NetmaskGroupsClientsOfOneNetwork) {
    persistent_service("-p 300 -M 255.255.255.0", {.persist_timeout = 300, .netmask = 24});
    std::string first = syn(client(5, 1000));      // 10.2.0.5
    EXPECT_EQ(syn(client(77, 1000)), first);        // 10.2.0.77: the same /24
    EXPECT_NE(syn(client(256 + 5, 1000)), first);  // 10.2.1.5: another
}

TEST_F(PersistTest, WeightZeroKeepsItsClientsButTakesNoNewOnes) {
    persistent_service("-p 300", {.persist_timeout = 300}, "wlc");
    std::string first = syn(client(1, 1000));
    edit(first, 0);
    EXPECT_EQ(syn(client(1, 1001)), first);
    EXPECT_NE(syn(client(2, 1000)), first);
}

TEST_F(PersistTest, ExpiredTemplateLetsTheClientMove) {
    persistent_service("-p 300", {.persist_timeout = 300});
    std::string first = syn(client(1, 1000));
    EXPECT_EQ(syn(client(1, 1001)), first);
    expire_template(client(1, 0).saddr);
    EXPECT_NE(syn(client(1, 1002)), first);  // scheduled anew: rr's next server
    EXPECT_EQ(syn(client(1, 1003)), syn(client(1, 1004)));
}

// A port-0 service takes every port of the VIP, with one template per client
// for all of them, as IPVS's port-zero persistent services.
TEST_F(PersistTest, PortZeroServiceKeepsTheClientAcrossPorts) {
    const std::string all_ports = "10.1.0.100:0";
    service("rr", "-p 300", {.flags = LVS_SVC_F_PERSISTENT, .persist_timeout = 300}, all_ports);
    for (const char* rip : {"10.1.0.11", "10.1.0.12", "10.1.0.13"})
        add(rip, 1, 0, 0, all_ports);
    std::string first = syn(client(1, 1000, "10.1.0.100:80"));
    for (const char* vip : {"10.1.0.100:443", "10.1.0.100:8080", "10.1.0.100:22"})
        EXPECT_EQ(syn(client(1, 1001, vip)), first) << vip;
    EXPECT_NE(syn(client(2, 1000, "10.1.0.100:443")), first);
}

}  // namespace
}  // namespace lvs::test
