#include "test_sched_fixture.h"

#include <arpa/inet.h>
#include <linux/bpf.h>

#include "maps/bpf_map.h"
#include "sched/scheduler.h"
#include "store/store.h"
#include "store/sweep.h"

namespace lvs::test {
namespace {

std::string dotted(uint32_t host) {
    in_addr a{htonl(host)};
    char buf[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a, buf, sizeof buf);
}

testkit::FrameSpec frame_of(const model::Packet& p, uint8_t tcp_flags) {
    testkit::FrameSpec s;
    s.saddr = dotted(p.saddr);
    s.sport = p.sport;
    s.daddr = dotted(p.daddr);
    s.dport = p.dport;
    s.tcp_flags = tcp_flags;
    return s;
}

testkit::Mac mac_of(const std::string& rip) { return {0x02, 0, 0, 0, 0, uint8_t(model::host_addr(rip))}; }

// "addr:port" with port 0 allowed (parse_endpoint takes ipvsadm's 1..65535).
ServiceKey key_of(const std::string& vip_port) {
    size_t colon = vip_port.rfind(':');
    return {.proto = Proto::Tcp,
            .addr = parse_addr(vip_port.substr(0, colon)),
            .port = uint16_t(std::stoi(vip_port.substr(colon + 1)))};
}

const lvs::Service& service_of(const Config& cfg, const std::string& vip_port) {
    const lvs::Service* s = cfg.find(key_of(vip_port));
    if (!s)
        throw std::runtime_error("no service " + vip_port);
    return *s;
}

}  // namespace

model::Packet client(uint32_t n, uint16_t sport, const std::string& vip_port) {
    ServiceKey k = key_of(vip_port);
    return {.saddr = 0x0a020000 + n, .sport = sport, .daddr = model::host_addr(k.addr.str()), .dport = k.port};
}

SchedTest::SchedTest() : counters_(d_.maps().dest_conns) {
    // rr/wrr positions are per CPU: one CPU sees one sequence.
    testkit::pin_to_cpu(testkit::online_cpus().front());
}

void SchedTest::service(const std::string& sched, const std::string& extra, model::Options opts,
                        const std::string& vip_port) {
    d_.ipvsadm("-A -t " + vip_port + " -s " + sched + " " + extra);
    const Scheduler* s = find_scheduler(sched);
    ASSERT_NE(s, nullptr) << sched;
    svcs_.emplace(vip_port, Svc{sched, model::Service(s->id(), opts)});
    sync(vip_port);
}

std::string SchedTest::server_opts(const std::string& rip, int weight, int u, int l,
                                   const std::string& vip_port) const {
    return " -t " + vip_port + " -r " + rip + ":80 -g -w " + std::to_string(weight) + " -x " + std::to_string(u) +
           " -y " + std::to_string(l);
}

void SchedTest::add(const std::string& rip, int weight, int u, int l, const std::string& vip_port) {
    d_.ipvsadm("-a" + server_opts(rip, weight, u, l, vip_port));
    d_.set_mac(rip, mac_of(rip));
    model(vip_port).add_server(rip, weight, u, l);
    sync(vip_port);
}

void SchedTest::edit(const std::string& rip, int weight, int u, int l, const std::string& vip_port) {
    d_.ipvsadm("-e" + server_opts(rip, weight, u, l, vip_port));
    model(vip_port).edit_server(model(vip_port).find(rip), weight, u, l);
    sync(vip_port);
}

void SchedTest::remove(const std::string& rip, const std::string& vip_port) {
    d_.ipvsadm("-d -t " + vip_port + " -r " + rip + ":80");
    model(vip_port).remove_server(model(vip_port).find(rip));
    sync(vip_port);
}

void SchedTest::sync(const std::string& vip_port) {
    Svc& svc = svcs_.at(vip_port);
    Config cfg = Store(d_.maps()).load();
    const auto& dests = service_of(cfg, vip_port).dests;
    svc.dest_ids.clear();
    for (const Dest& dest : dests)
        svc.dest_ids.emplace_back(dest.addr.str(), dest.id);
    if (svc.sched != "dh" && svc.sched != "sh" && svc.sched != "mh")
        return;
    std::vector<model::ServerId> table;
    for (uint32_t i : find_scheduler(svc.sched)->table(dests))
        table.push_back(i == kNoDestIndex ? model::kNoServer : svc.m.find(dests.at(i).addr.str()));
    svc.m.set_table(table);
}

std::string SchedTest::service_key(const model::Packet& p) const {
    std::string vip = dotted(p.daddr) + ":";
    return svcs_.contains(vip + std::to_string(p.dport)) ? vip + std::to_string(p.dport) : vip + "0";
}

std::string SchedTest::send(const model::Packet& p, uint8_t tcp_flags) {
    testkit::RunResult r = d_.run(testkit::frame(frame_of(p, tcp_flags)));
    if (r.action != XDP_TX)
        return "";
    return "10.1.0." + std::to_string(r.out.at(5));  // the destination MAC's last byte
}

std::string SchedTest::syn(const model::Packet& p) {
    std::string vip_port = service_key(p);
    Svc& svc = svcs_.at(vip_port);
    std::string got = send(p);
    auto name = [&](model::ServerId id) { return id == model::kNoServer ? "" : svc.m.server(id).name; };
    model::Random r;
    if (svc.sched == "twos") {
        // twos uses only r % (total weight + 1) of each number, and the
        // weights of these tests sum to less than 64: 0..64 covers every draw.
        std::map<std::string, model::Random> picks;
        for (uint32_t r1 = 0; r1 <= 64; ++r1)
            for (uint32_t r2 = 0; r2 <= 64; ++r2)
                picks.try_emplace(name(svc.m.schedule(p, now, {r1, r2})), model::Random{r1, r2});
        EXPECT_TRUE(picks.contains(got)) << "twos picked " << got << ", which no pair of draws gives";
        if (picks.contains(got))
            r = picks[got];
    }
    std::string expected = name(svc.m.connect(p, now, r));
    EXPECT_EQ(got, expected) << svc.sched << ": new connection from " << dotted(p.saddr) << ":" << p.sport;
    expect_counters(vip_port);
    return got;
}

std::string SchedTest::server_of(const model::Packet& p) {
    std::optional<model::ServerId> id = model(service_key(p)).connection(p);
    if (!id)
        throw std::logic_error("the test sends on a flow the model has no connection for");
    return model(service_key(p)).server(*id).name;
}

void SchedTest::ack(const model::Packet& p) {
    std::string vip_port = service_key(p);
    EXPECT_EQ(send(p, 0x10), server_of(p));
    model(vip_port).establish(p);
    expect_counters(vip_port);
}

void SchedTest::fin(const model::Packet& p) {
    std::string vip_port = service_key(p);
    EXPECT_EQ(send(p, 0x11), server_of(p));
    model(vip_port).close(p);
    expect_counters(vip_port);
}

void SchedTest::expire(const model::Packet& p) {
    std::string vip_port = service_key(p);
    testkit::FrameSpec s = frame_of(p, 0x10);
    std::optional<lvs_conn> c = d_.conn(s);
    ASSERT_TRUE(c.has_value()) << "no entry for " << dotted(p.saddr) << ":" << p.sport;
    c->expires = 1;  // long past
    d_.put_conn(s, *c);
    sweep_expired(d_.maps());
    model(vip_port).expire(p);
    expect_counters(vip_port);
}

void SchedTest::expect_counters(const std::string& vip_port) {
    for (const auto& [rip, id] : svcs_.at(vip_port).dest_ids) {
        const model::Server& want = model(vip_port).server(model(vip_port).find(rip));
        DestConnCounts got = counters_.read(id);
        SCOPED_TRACE(rip);
        EXPECT_EQ(int(got.active), want.active);
        EXPECT_EQ(int(got.inactive), want.inactive);
        EXPECT_EQ(int(got.persist), want.persist);
        EXPECT_EQ(got.overload, want.overload);
    }
}

}  // namespace lvs::test
