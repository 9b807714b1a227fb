// The TunHost of the machine itself (realserver_state.h): tunl0 through
// rtnetlink; rs_decap (bpf/rs_decap.bpf.c, embedded as a skeleton) attached with
// plain bpf_xdp_attach, native mode first and generic where native fails, never
// replacing another XDP program; its maps pinned by name in the given directory.
//
// The maps are found again through the pins, or, when the pins are gone (a
// bpffs mounted by `ip netns exec` vanishes with the command), through the
// program attached to an interface of this namespace, and pinned again.
#pragma once

#include <memory>

#include "realserver/realserver_state.h"

namespace lvs {

inline constexpr const char* kRsDecapProgName = "lvs_rs_decap";

std::unique_ptr<TunHost> system_tun_host();

}  // namespace lvs
