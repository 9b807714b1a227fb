// The scheduler selftests' fixture: virtual services on the real XDP object
// (Director) and the IPVS reference model (tests/model) side by side, driven
// through the same events. Every new connection's server, read from the
// output frame's destination MAC, must be the model's pick, and after every
// event every server's counters (lvs_dest_conns) must be the model's.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ipvs_model.h"
#include "maps/dest_conns.h"
#include "testkit/cpu.h"
#include "testkit/director.h"

namespace lvs::test {

inline constexpr char kVip[] = "10.1.0.100:80";

// A client address: 10.2.x.y for n = x * 256 + y.
model::Packet client(uint32_t n, uint16_t sport, const std::string& vip_port = kVip);

class SchedTest : public ::testing::Test {
protected:
    SchedTest();

    // -A with the scheduler and extra ipvsadm options (e.g. "-p 300"); opts
    // tells the model the same.
    void service(const std::string& sched, const std::string& extra = "", model::Options opts = {},
                 const std::string& vip_port = kVip);
    // Real servers 10.1.0.N, each with the MAC 02:00:00:00:00:N, forwarding -g.
    void add(const std::string& rip, int weight, int u = 0, int l = 0, const std::string& vip_port = kVip);
    void edit(const std::string& rip, int weight, int u = 0, int l = 0, const std::string& vip_port = kVip);
    void remove(const std::string& rip, const std::string& vip_port = kVip);

    // Events on both sides. syn() is a new connection and returns its server
    // ("" when dropped); twos's pick must be one of the model's picks for some
    // pair of random numbers, and the model then follows that pair.
    std::string syn(const model::Packet& p);
    void ack(const model::Packet& p);     // ESTABLISHED
    void fin(const model::Packet& p);     // leaves ESTABLISHED
    void expire(const model::Packet& p);  // the entry's time passes; the sweep ends it

    // The director alone: the server a frame of p with tcp_flags goes to.
    std::string send(const model::Packet& p, uint8_t tcp_flags = 0x02);
    // Every configured server's counters as the model's.
    void expect_counters(const std::string& vip_port = kVip);

    model::Service& model(const std::string& vip_port = kVip) { return svcs_.at(vip_port).m; }
    testkit::Director& director() { return d_; }

    uint64_t now = 0;  // the model's clock, seconds

private:
    struct Svc {
        std::string sched;
        model::Service m;
        std::vector<std::pair<std::string, uint32_t>> dest_ids;  // (address, lvs_dests id)
    };
    // After a change of servers: their ids, and for dh, sh and mh the table the
    // loader builds for them as they are now, which the model then reads.
    void sync(const std::string& vip_port);
    // The server the model has p's connection on.
    std::string server_of(const model::Packet& p);
    // The service a packet is for: its VIP and port, else its VIP's port 0.
    std::string service_key(const model::Packet& p) const;
    std::string server_opts(const std::string& rip, int weight, int u, int l, const std::string& vip_port) const;

    testkit::CpuPin restore_affinity_;
    testkit::Director d_;
    DestConns counters_;
    std::map<std::string, Svc> svcs_;
};

}  // namespace lvs::test
