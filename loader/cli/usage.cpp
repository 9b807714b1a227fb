// Laid out like ipvsadm 1.31's usage, listing what lvs-xdp takes; the options it
// parses only to refuse (ipvsadm features not in this version) are named at the end.
#include "cli/usage.h"

namespace lvs {
namespace {

std::string version_line() {
    return "lvs-xdp v" LVS_XDP_VERSION " (ipvsadm v1.31 command line, IPVS v1.2.1 compatible)\n";
}

constexpr const char* kUsage =
    "Usage:\n"
    "  lvs-xdp -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags]\n"
    "  lvs-xdp -D virtual-service\n"
    "  lvs-xdp -C\n"
    "  lvs-xdp -R\n"
    "  lvs-xdp -S [-n]\n"
    "  lvs-xdp -a|e virtual-service -r server-address [options]\n"
    "  lvs-xdp -d virtual-service -r server-address\n"
    "  lvs-xdp -L|l [virtual-service] [options]\n"
    "  lvs-xdp -Z [virtual-service]\n"
    "  lvs-xdp --set tcp tcpfin udp\n"
    "  lvs-xdp -h\n"
    "\n"
    "Commands:\n"
    "Either long or short options are allowed.\n"
    "  --add-service     -A        add virtual service with options\n"
    "  --edit-service    -E        edit virtual service with options\n"
    "  --delete-service  -D        delete virtual service\n"
    "  --clear           -C        clear the whole table\n"
    "  --restore         -R        restore rules from stdin (all lines or none)\n"
    "  --save            -S        save rules to stdout\n"
    "  --add-server      -a        add real server with options\n"
    "  --edit-server     -e        edit real server with options\n"
    "  --delete-server   -d        delete real server\n"
    "  --list            -L|-l     list the table\n"
    "  --zero            -Z        zero counters in a service or all services\n"
    "  --set tcp tcpfin udp        set connection timeout values (seconds, 0 = unchanged)\n"
    "  --help            -h        display this help message\n"
    "  --version         -v        display the version\n"
    "\n"
    "virtual-service:\n"
    "  --tcp-service|-t  service-address   service-address is IPv4-address:port\n"
    "  --udp-service|-u  service-address   service-address is IPv4-address:port\n"
    "\n"
    "Options:\n"
    "  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos,\n"
    "                                      the default scheduler is wlc.\n"
    "  --persistent   -p [timeout]         persistent service (timeout 360 s if not given)\n"
    "  --netmask      -M netmask           persistent granularity mask\n"
    "  --real-server  -r server-address    server-address is IPv4-address[:port]\n"
    "  --gatewaying   -g                   gatewaying (direct routing) (default)\n"
    "  --ipip         -i                   ipip encapsulation (tunneling)\n"
    "  --masquerading -m                   masquerading (NAT)\n"
    "  --fullnat                           with -m: FullNAT, the client's source becomes a\n"
    "                                      local address (lvs-xdp --laddr add ADDR)\n"
    "  --tun-type      type                one of ipip|gue|gre,\n"
    "                                      the default tunnel type is ipip.\n"
    "  --tun-port      port                tunnel destination port\n"
    "  --tun-nocsum                        tunnel encapsulation without checksum\n"
    "  --tun-csum                          tunnel encapsulation with checksum\n"
    "  --tun-remcsum                       tunnel encapsulation with remote checksum\n"
    "  --weight       -w weight            capacity of real server (0..65535, default 1)\n"
    "  --u-threshold  -x uthreshold        upper threshold of connections\n"
    "  --l-threshold  -y lthreshold        lower threshold of connections\n"
    "  --connection   -c                   output of current IPVS connections\n"
    "  --timeout                           output of timeout (tcp tcpfin udp)\n"
    "  --stats                             output of statistics information\n"
    "  --rate                              output of rate information (lvs-xdp daemon estimates it)\n"
    "  --exact        -X                   expand numbers (display exact values)\n"
    "  --thresholds                        output of thresholds information\n"
    "  --persistent-conn                   output of persistent connection info\n"
    "  --tun-info                          output of tunnel information\n"
    "  --nosort                            disable sorting output of service/server entries\n"
    "  --sort                              does nothing, for backwards compatibility\n"
    "  --numeric      -n                   numeric output of addresses and ports\n"
    "  --json                              any listing (-L, -c, --timeout) as JSON, for scripts\n"
    "  --sched-flags  -b flags             scheduler flags (comma-separated): sh-fallback,\n"
    "                                      sh-port (with -s sh), mh-fallback, mh-port\n"
    "                                      (with -s mh), flag-1, flag-2, flag-3\n"
    "\n"
    "Accepted as ipvsadm accepts them, but not available in this version of lvs-xdp:\n"
    "  IPv6 addresses, -f, -6, --sctp-service, -o, --pe,\n"
    "  --daemon, --start-daemon, --stop-daemon.\n";

}  // namespace

std::string ipvsadm_help_or_version(Action action, const std::string& argv0) {
    if (argv0.empty())
        return action == Action::Help ? version_line() + kUsage : version_line();
    // ipvsadm's own texts: its version line, and the usage naming argv[0].
    const std::string version = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n";
    if (action != Action::Help)
        return version;
    std::string usage = kUsage;
    const std::string ours = "  lvs-xdp ";
    for (size_t at = usage.find(ours); at != std::string::npos; at = usage.find(ours, at + argv0.size()))
        usage.replace(at + 2, ours.size() - 3, argv0);
    return version + usage;
}

}  // namespace lvs
