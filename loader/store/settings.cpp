#include "store/settings.h"

namespace lvs {

const std::array<uint32_t, LVS_TCP_S_LAST> kDefaultTcpTimeouts = {
    2,    // NONE
    900,  // ESTABLISHED
    120,  // SYN_SENT
    60,   // SYN_RECV
    120,  // FIN_WAIT
    120,  // TIME_WAIT
    10,   // CLOSE
    60,   // CLOSE_WAIT
    30,   // LAST_ACK
    120,  // LISTEN
    120,  // SYNACK
};

void ensure_default_settings(const Maps& maps) {
    ArrayMap<lvs_config> config(maps.config);
    lvs_config c = config.get(0);
    if (c.tcp_timeout[LVS_TCP_S_ESTABLISHED] != 0)
        return;
    for (int s = 0; s < LVS_TCP_S_LAST; ++s)
        c.tcp_timeout[s] = kDefaultTcpTimeouts[s];
    c.udp_timeout = kDefaultUdpTimeout;
    c.lblc_expiration = kDefaultLblcExpiration;
    c.lblcr_expiration = kDefaultLblcExpiration;
    config.put(0, c);
}

void set_timeouts(lvs_config& c, uint32_t tcp, uint32_t tcpfin, uint32_t udp) {
    if (tcp)
        c.tcp_timeout[LVS_TCP_S_ESTABLISHED] = tcp;
    if (tcpfin)
        c.tcp_timeout[LVS_TCP_S_FIN_WAIT] = tcpfin;
    if (udp)
        c.udp_timeout = udp;
}

void set_timeouts(const Maps& maps, uint32_t tcp, uint32_t tcpfin, uint32_t udp) {
    ArrayMap<lvs_config> config(maps.config);
    lvs_config c = config.get(0);
    set_timeouts(c, tcp, tcpfin, udp);
    config.put(0, c);
}

lvs_config read_settings(const Maps& maps) {
    return ArrayMap<lvs_config>(maps.config).get(0);
}

void write_settings(const Maps& maps, const lvs_config& c) {
    ArrayMap<lvs_config>(maps.config).put(0, c);
}

void record_hz(const Maps& maps, unsigned config_hz) {
    ArrayMap<lvs_config> config(maps.config);
    lvs_config c = config.get(0);
    c.hz = config_hz ? config_hz : 250;  // what bpf/conn_state.bpf.h assumes then
    config.put(0, c);
}

void update_service_flags(const Maps& maps, const Config& cfg) {
    bool nat = false, port0 = false;
    for (const Service& svc : cfg.services()) {
        port0 |= svc.key.port == 0;
        for (const Dest& d : svc.dests)
            nat |= d.fwd == Fwd::Masq;
    }
    ArrayMap<lvs_config> config(maps.config);
    lvs_config c = config.get(0);
    uint32_t flags = c.flags & ~(LVS_CFG_F_NAT | LVS_CFG_F_PORT0);
    flags |= (nat ? LVS_CFG_F_NAT : 0) | (port0 ? LVS_CFG_F_PORT0 : 0);
    if (flags == c.flags)
        return;
    c.flags = flags;
    config.put(0, c);
}

}  // namespace lvs
