// /metrics' text, golden: the Prometheus exposition format (HELP and TYPE
// before each family's samples, *_total counters, labels) for a known snapshot.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "daemon/metrics.h"

namespace lvs {
namespace {

MetricsSnapshot one_service() {
    MetricsSnapshot snap;
    ServiceMetrics s{.service = "TCP 10.0.0.1:80", .counters = {3, 30, 0, 3000, 0}, .rates = {1, 15, 0, 1500, 0}};
    s.servers.push_back({.server = "10.0.0.11:80",
                         .weight = 2,
                         .counters = {3, 30, 0, 3000, 0},
                         .rates = {1, 15, 0, 1500, 0},
                         .conns = {.active = 2, .inactive = 1, .persist = 0}});
    snap.services.push_back(s);
    snap.xdp = {.rx = 100, .pass = 40, .tx = 60, .new_conns = 3};
    return snap;
}

const char* const kGolden = R"(# HELP lvs_service_connections_total connections scheduled, in total
# TYPE lvs_service_connections_total counter
lvs_service_connections_total{service="TCP 10.0.0.1:80"} 3
# HELP lvs_service_connections_per_second connections scheduled per second (IPVS's 2-second estimator)
# TYPE lvs_service_connections_per_second gauge
lvs_service_connections_per_second{service="TCP 10.0.0.1:80"} 1
# HELP lvs_service_in_packets_total packets from clients, in total
# TYPE lvs_service_in_packets_total counter
lvs_service_in_packets_total{service="TCP 10.0.0.1:80"} 30
# HELP lvs_service_in_packets_per_second packets from clients per second (IPVS's 2-second estimator)
# TYPE lvs_service_in_packets_per_second gauge
lvs_service_in_packets_per_second{service="TCP 10.0.0.1:80"} 15
# HELP lvs_service_out_packets_total packets to clients (NAT), in total
# TYPE lvs_service_out_packets_total counter
lvs_service_out_packets_total{service="TCP 10.0.0.1:80"} 0
# HELP lvs_service_out_packets_per_second packets to clients (NAT) per second (IPVS's 2-second estimator)
# TYPE lvs_service_out_packets_per_second gauge
lvs_service_out_packets_per_second{service="TCP 10.0.0.1:80"} 0
# HELP lvs_service_in_bytes_total bytes from clients, in total
# TYPE lvs_service_in_bytes_total counter
lvs_service_in_bytes_total{service="TCP 10.0.0.1:80"} 3000
# HELP lvs_service_in_bytes_per_second bytes from clients per second (IPVS's 2-second estimator)
# TYPE lvs_service_in_bytes_per_second gauge
lvs_service_in_bytes_per_second{service="TCP 10.0.0.1:80"} 1500
# HELP lvs_service_out_bytes_total bytes to clients (NAT), in total
# TYPE lvs_service_out_bytes_total counter
lvs_service_out_bytes_total{service="TCP 10.0.0.1:80"} 0
# HELP lvs_service_out_bytes_per_second bytes to clients (NAT) per second (IPVS's 2-second estimator)
# TYPE lvs_service_out_bytes_per_second gauge
lvs_service_out_bytes_per_second{service="TCP 10.0.0.1:80"} 0
# HELP lvs_server_connections_total connections scheduled, in total
# TYPE lvs_server_connections_total counter
lvs_server_connections_total{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 3
# HELP lvs_server_connections_per_second connections scheduled per second (IPVS's 2-second estimator)
# TYPE lvs_server_connections_per_second gauge
lvs_server_connections_per_second{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 1
# HELP lvs_server_in_packets_total packets from clients, in total
# TYPE lvs_server_in_packets_total counter
lvs_server_in_packets_total{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 30
# HELP lvs_server_in_packets_per_second packets from clients per second (IPVS's 2-second estimator)
# TYPE lvs_server_in_packets_per_second gauge
lvs_server_in_packets_per_second{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 15
# HELP lvs_server_out_packets_total packets to clients (NAT), in total
# TYPE lvs_server_out_packets_total counter
lvs_server_out_packets_total{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 0
# HELP lvs_server_out_packets_per_second packets to clients (NAT) per second (IPVS's 2-second estimator)
# TYPE lvs_server_out_packets_per_second gauge
lvs_server_out_packets_per_second{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 0
# HELP lvs_server_in_bytes_total bytes from clients, in total
# TYPE lvs_server_in_bytes_total counter
lvs_server_in_bytes_total{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 3000
# HELP lvs_server_in_bytes_per_second bytes from clients per second (IPVS's 2-second estimator)
# TYPE lvs_server_in_bytes_per_second gauge
lvs_server_in_bytes_per_second{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 1500
# HELP lvs_server_out_bytes_total bytes to clients (NAT), in total
# TYPE lvs_server_out_bytes_total counter
lvs_server_out_bytes_total{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 0
# HELP lvs_server_out_bytes_per_second bytes to clients (NAT) per second (IPVS's 2-second estimator)
# TYPE lvs_server_out_bytes_per_second gauge
lvs_server_out_bytes_per_second{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 0
# HELP lvs_server_active_connections connections in ESTABLISHED (ActiveConn)
# TYPE lvs_server_active_connections gauge
lvs_server_active_connections{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 2
# HELP lvs_server_inactive_connections connections in any other state (InActConn)
# TYPE lvs_server_inactive_connections gauge
lvs_server_inactive_connections{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 1
# HELP lvs_server_persistent_connections persistence templates (PersistConn)
# TYPE lvs_server_persistent_connections gauge
lvs_server_persistent_connections{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 0
# HELP lvs_server_weight the server's weight (0: takes no new connections)
# TYPE lvs_server_weight gauge
lvs_server_weight{service="TCP 10.0.0.1:80",server="10.0.0.11:80"} 2
# HELP lvs_xdp_rx_total frames the XDP program saw
# TYPE lvs_xdp_rx_total counter
lvs_xdp_rx_total 100
# HELP lvs_xdp_pass_total frames handed to the kernel untouched (not for a service)
# TYPE lvs_xdp_pass_total counter
lvs_xdp_pass_total 40
# HELP lvs_xdp_tx_total frames forwarded out of the interface they came in on
# TYPE lvs_xdp_tx_total counter
lvs_xdp_tx_total 60
# HELP lvs_xdp_redirect_total frames forwarded out of another attached interface
# TYPE lvs_xdp_redirect_total counter
lvs_xdp_redirect_total 0
# HELP lvs_xdp_new_conns_total flows scheduled to a server
# TYPE lvs_xdp_new_conns_total counter
lvs_xdp_new_conns_total 3
# HELP lvs_xdp_no_dest_total frames dropped: the service had no available server
# TYPE lvs_xdp_no_dest_total counter
lvs_xdp_no_dest_total 0
# HELP lvs_xdp_no_neigh_total frames passed to the kernel: the server's MAC was not known yet
# TYPE lvs_xdp_no_neigh_total counter
lvs_xdp_no_neigh_total 0
# HELP lvs_xdp_resched_total flows whose entry was dead scheduled anew
# TYPE lvs_xdp_resched_total counter
lvs_xdp_resched_total 0
# HELP lvs_xdp_sched_not_syn_total TCP flows scheduled on a packet other than a SYN (their entry was lost)
# TYPE lvs_xdp_sched_not_syn_total counter
lvs_xdp_sched_not_syn_total 0
# HELP lvs_xdp_conn_evicted_total live IPv4 connections whose slot a new flow took (the table is full)
# TYPE lvs_xdp_conn_evicted_total counter
lvs_xdp_conn_evicted_total 0
# HELP lvs_xdp_conn_store_fail_total IPv4 entries not stored: their slots were busy on other CPUs
# TYPE lvs_xdp_conn_store_fail_total counter
lvs_xdp_conn_store_fail_total 0
# HELP lvs_xdp_pmtu_icmp_total too big for the tunnel with DF set: ICMP fragmentation needed sent
# TYPE lvs_xdp_pmtu_icmp_total counter
lvs_xdp_pmtu_icmp_total 0
# HELP lvs_xdp_pmtu_pass_total too big for the tunnel without DF: handed to the kernel
# TYPE lvs_xdp_pmtu_pass_total counter
lvs_xdp_pmtu_pass_total 0
# HELP lvs_xdp_fullnat_no_port_total new flows dropped: no free FullNAT local port
# TYPE lvs_xdp_fullnat_no_port_total counter
lvs_xdp_fullnat_no_port_total 0
# HELP lvs_xdp_icmp_nat_total ICMP errors about NAT flows translated and forwarded
# TYPE lvs_xdp_icmp_nat_total counter
lvs_xdp_icmp_nat_total 0
# HELP lvs_xdp_nat_reply_restored_total NAT reply entries a full table evicted, set up again
# TYPE lvs_xdp_nat_reply_restored_total counter
lvs_xdp_nat_reply_restored_total 0
# HELP lvs_xdp_drop_error_total frames dropped: a rewrite could not be finished
# TYPE lvs_xdp_drop_error_total counter
lvs_xdp_drop_error_total 0
# HELP lvs_xdp_icmp_fwd_total ICMP errors about DR/TUN flows forwarded to the flow's server
# TYPE lvs_xdp_icmp_fwd_total counter
lvs_xdp_icmp_fwd_total 0
# HELP lvs_xdp_icmp_bad_mtu_total ICMP fragmentation needed with an MTU below 576 dropped
# TYPE lvs_xdp_icmp_bad_mtu_total counter
lvs_xdp_icmp_bad_mtu_total 0
# HELP lvs_xdp_frag_first_total first fragments forwarded; their datagram's later fragments follow
# TYPE lvs_xdp_frag_first_total counter
lvs_xdp_frag_first_total 0
# HELP lvs_xdp_frag_fwd_total later fragments forwarded after their first fragment
# TYPE lvs_xdp_frag_fwd_total counter
lvs_xdp_frag_fwd_total 0
# HELP lvs_xdp_frag_pass_total later fragments of no forwarded datagram handed to the kernel
# TYPE lvs_xdp_frag_pass_total counter
lvs_xdp_frag_pass_total 0
# HELP lvs_xdp_nodest_drop_total packets of connections whose server was removed dropped (expire_nodest_conn 0)
# TYPE lvs_xdp_nodest_drop_total counter
lvs_xdp_nodest_drop_total 0
)";

TEST(Metrics, GoldenText) { EXPECT_EQ(render_metrics(one_service()), kGolden); }

// With several services and servers, every family's samples stay together
// under its one TYPE line (Prometheus rejects a family that appears twice),
// and a server of two services is told apart by its service label.
TEST(Metrics, FamiliesStayTogetherAcrossServices) {
    MetricsSnapshot snap = one_service();
    ServiceMetrics udp{.service = "UDP [2001:db8::1]:53", .counters = {7, 7, 7, 700, 700}};
    udp.servers.push_back({.server = "[2001:db8::11]:53", .counters = {7, 7, 7, 700, 700}});
    udp.servers.push_back({.server = "10.0.0.11:80", .counters = {0, 0, 0, 0, 0}});
    snap.services.push_back(udp);

    std::istringstream in(render_metrics(snap));
    std::set<std::string> typed;
    std::string line, current;
    int samples = 0;
    while (std::getline(in, line)) {
        if (line.starts_with("# TYPE ")) {
            current = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_TRUE(typed.insert(current).second) << current << " declared twice";
        } else if (!line.starts_with("# HELP ")) {
            EXPECT_TRUE(line.starts_with(current)) << line << " outside its family " << current;
            ++samples;
        }
    }
    // 10 service families x 2 services, 14 server families x 3 servers, 23 XDP counters.
    EXPECT_EQ(samples, 20 + 42 + 23);
    const std::string text = render_metrics(snap);
    EXPECT_NE(text.find("lvs_server_out_bytes_total{service=\"UDP [2001:db8::1]:53\",server=\"[2001:db8::11]:53\"} 700\n"),
              std::string::npos);
    EXPECT_NE(text.find("lvs_server_connections_total{service=\"UDP [2001:db8::1]:53\",server=\"10.0.0.11:80\"} 0\n"),
              std::string::npos);
}

}  // namespace
}  // namespace lvs
