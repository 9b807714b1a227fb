// SPDX-License-Identifier: GPL-2.0
// XDP_PASS for every frame. Tests attach it in native mode to the PEER of a veth
// that sends with XDP_TX (or receives XDP_REDIRECTs): veth only delivers those
// frames when the peer has an XDP program (see shared LAB-NOTES).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
