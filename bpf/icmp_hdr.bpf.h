/* SPDX-License-Identifier: GPL-2.0 */
/* The ICMP header and the message types the data plane handles (RFC 792).
 * Defined here rather than taken from <linux/icmp.h>: that header includes
 * <linux/if.h> and through it glibc's <sys/socket.h>, which for the BPF target
 * asks for 32-bit glibc headers (gnu/stubs-32.h) that a plain Debian machine
 * does not have. */
#ifndef LVS_ICMP_HDR_BPF_H
#define LVS_ICMP_HDR_BPF_H

#include <linux/types.h>

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_FRAG_NEEDED 4 /* code of ICMP_DEST_UNREACH */

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
		struct {
			__be16 __unused;
			__be16 mtu;
		} frag;
		__u8 reserved[4];
	} un;
};

#endif
