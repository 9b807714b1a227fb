#include "control_plane.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cli/restore.h"
#include "store/store.h"
#include "testkit/director.h"

namespace lvs::bench {
namespace {

using testkit::Director;

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
}

std::string addr(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    return inet_ntoa(a);
}

// services x servers DR services, as lvs-xdp -S -n would save them.
std::string rules(int services, int servers, const std::string& sched = "rr") {
    std::string r;
    for (int s = 0; s < services; ++s) {
        std::string vip = addr(0x0a040000 + s + 1) + ":80";  // 10.4.0.1 ...
        r += "-A -t " + vip + " -s " + sched + "\n";
        for (int d = 0; d < servers; ++d)
            r += "-a -t " + vip + " -r " + addr(0x0a100000 + s * servers + d + 1) + ":80 -g -w 1\n";  // 10.16.0.1 ...
    }
    return r;
}

struct RestoreTimes {
    double load_ms, parse_ms, commit_ms;
};

struct EditTimes {
    std::vector<double> add, del;
};

// Adding and removing one server in a service of 1,000 with scheduler sched.
EditTimes edit_times(const std::string& sched, int edits) {
    std::cerr << "control plane: adding and removing one server in a " << sched << " service of 1,000\n";
    Director d;
    d.ipvsadm_restore(rules(1, 1000, sched));
    const std::string vip = addr(0x0a040001) + ":80", extra = "10.200.0.1:80";
    EditTimes t;
    for (int i = 0; i < edits; ++i) {
        double t0 = now_ms();
        d.ipvsadm("-a -t " + vip + " -r " + extra + " -g -w 1");
        double t1 = now_ms();
        d.ipvsadm("-d -t " + vip + " -r " + extra);
        double t2 = now_ms();
        t.add.push_back(t1 - t0);
        t.del.push_back(t2 - t1);
    }
    return t;
}

// lvs-xdp -R's work on an empty director (ipvsadm_exec.cpp's change_config):
// read the configuration from the maps, apply the -R lines (restore_into),
// write the difference (Store::commit). Opening the pins and the lock are
// left out, as is the process's start.
RestoreTimes restore_once(const std::string& text) {
    Director d;
    Store store(d.maps());
    double t0 = now_ms();
    Config before = store.load();
    double t1 = now_ms();
    Config after = before;
    std::istringstream in(text);
    restore_into(after, in);
    double t2 = now_ms();
    store.commit(before, after);
    double t3 = now_ms();
    size_t servers = 0;
    Config now = Store(d.maps()).load();
    for (const auto& svc : now.services())
        servers += svc.dests.size();
    if (servers != 100000)
        throw std::runtime_error("the restore left " + std::to_string(servers) + " servers, not 100,000");
    return {t1 - t0, t2 - t1, t3 - t2};
}

struct MapInfo {
    std::string name, type;
    uint32_t max_entries, key_size, value_size;
    uint64_t memlock;  // the kernel's own accounting (/proc/self/fdinfo), bytes
};

uint64_t memlock_of(int fd) {
    std::ifstream f("/proc/self/fdinfo/" + std::to_string(fd));
    for (std::string line; std::getline(f, line);)
        if (line.rfind("memlock:", 0) == 0)
            return std::stoull(line.substr(8));
    return 0;
}

MapInfo info_of(const MapFd& m) {
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(m.fd(), &info, &len) != 0)
        throw std::runtime_error("bpf_obj_get_info_by_fd failed for " + m.name());
    const char* type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(info.type));
    return {info.name, type ? type : std::to_string(info.type), info.max_entries, info.key_size, info.value_size,
            memlock_of(m.fd())};
}

std::string with_commas(uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = int(s.size()) - 3; i > 0; i -= 3)
        s.insert(i, ",");
    return s;
}

}  // namespace

void control_plane(std::ostream& out, uint32_t runs) {
    std::cerr << "control plane: restoring 10,000 services x 10 servers, " << runs << " times\n";
    std::string big = rules(10000, 10);
    std::vector<double> load, parse, commit, total;
    for (uint32_t r = 0; r < runs; ++r) {
        RestoreTimes t = restore_once(big);
        load.push_back(t.load_ms);
        parse.push_back(t.parse_ms);
        commit.push_back(t.commit_ms);
        total.push_back(t.load_ms + t.parse_ms + t.commit_ms);
    }

    constexpr int kEdits = 21;
    const EditTimes rr = edit_times("rr", kEdits), mh = edit_times("mh", kEdits);

    out << "Control plane (wall-clock ms, median of " << runs << " restores and " << kEdits << " edits; "
        << "configuration read from the maps, changed, written back, as lvs-xdp's ipvsadm commands do; "
        << "no process start, no opening of the pins):\n\n"
        << "| operation | ms | min | max |\n| --- | ---: | ---: | ---: |\n";
    auto row = [&](const std::string& name, const std::vector<double>& v) {
        out << "| " << name << " | " << fmt("%.1f", median(v)) << " | " << fmt("%.1f", *std::min_element(v.begin(), v.end()))
            << " | " << fmt("%.1f", *std::max_element(v.begin(), v.end())) << " |\n";
    };
    row("-R 10,000 services x 10 servers: Store::load of the empty director", load);
    row("-R 10,000 services x 10 servers: parse and apply (restore_into)", parse);
    row("-R 10,000 services x 10 servers: Store::commit", commit);
    row("-R 10,000 services x 10 servers: total", total);
    row("-a one server, rr service of 1,000 (load + apply + commit)", rr.add);
    row("-d one server, rr service of 1,000 (load + apply + commit)", rr.del);
    row("-a one server, mh service of 1,000 (4,093-entry Maglev table rebuilt)", mh.add);
    row("-d one server, mh service of 1,000 (4,093-entry Maglev table rebuilt)", mh.del);

    out << "\nMaps at the defaults (a director as attach creates it; memlock is the kernel's own accounting "
           "from /proc/self/fdinfo, per-CPU maps for all "
        << libbpf_num_possible_cpus() << " possible CPUs):\n\n"
        << "| map | type | max_entries | key | value | memlock (bytes) |\n| --- | --- | ---: | ---: | ---: | ---: |\n";
    const Director d;  // the maps as attach creates them
    const Maps& m = d.maps();
    uint64_t sum = 0;
    MapInfo conns4{}, conns6{};
    for (const MapFd* f : {&m.services, &m.dests, &m.sched_table, &m.sched_pos, &m.conn_slots4, &m.conns6, &m.svc_stats,
                           &m.dest_stats,
                           &m.xdp_stats, &m.ifaces, &m.tx_ports, &m.config, &m.laddrs, &m.vip_filter, &m.dest_conns,
                           &m.persist, &m.lblc, &m.lblcr, &m.svc_rates, &m.dest_rates}) {
        MapInfo i = info_of(*f);
        if (f == &m.conn_slots4)
            conns4 = i;
        if (f == &m.conns6)
            conns6 = i;
        sum += i.memlock;
        out << "| " << i.name << " | " << i.type << " | " << with_commas(i.max_entries) << " | " << i.key_size << " | "
            << i.value_size << " | " << with_commas(i.memlock) << " |\n";
    }
    out << "| total | | | | | " << with_commas(sum) << " |\n\n";
    out << "Connection table, IPv4: " << with_commas(conns4.max_entries)
        << " slots (attach --conn-table-size N, a power of two), " << conns4.value_size
        << " bytes each (key and entry: one cache line), " << fmt("%.1f", double(conns4.memlock) / conns4.max_entries)
        << " bytes per slot as the kernel accounts it, " << fmt("%.1f", conns4.memlock / 1048576.0)
        << " MiB in all; it holds about half as many flows before new ones start to displace others.\n";
    out << "Connection table, IPv6: " << with_commas(conns6.max_entries)
        << " entries (attach --conn6-table-size N), key " << conns6.key_size << " + value " << conns6.value_size
        << " bytes of data per entry; the kernel accounts " << fmt("%.1f", double(conns6.memlock) / conns6.max_entries)
        << " bytes per entry (elements, buckets, LRU lists), " << fmt("%.1f", conns6.memlock / 1048576.0)
        << " MiB in all.\n";
}

}  // namespace lvs::bench
