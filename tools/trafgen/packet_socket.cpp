#include "trafgen/packet_socket.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "testkit/packet.h"

namespace lvs::trafgen {
namespace {

// Offsets in an Ethernet + IPv4 (no options) + UDP or TCP frame.
constexpr size_t kIp = 14;
constexpr size_t kIpCsum = kIp + 10;
constexpr size_t kIpSaddr = kIp + 12;
constexpr size_t kSport = kIp + 20;
constexpr size_t kUdpCsum = kIp + 20 + 6;

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

PacketSocketSender::PacketSocketSender(int ifindex, const std::vector<uint8_t>& frame, uint32_t flows,
                                       uint32_t sources, uint32_t batch)
    : frame_(frame),
      flows_(flows),
      sources_(sources),
      batch_(batch, frame),
      rng_(uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) | 1) {
    uint32_t saddr;
    std::memcpy(&saddr, &frame_[kIpSaddr], 4);
    base_saddr_ = ntohl(saddr);
    if ((base_saddr_ & 0xffff) + sources_ > 0x10000)
        throw std::runtime_error("the source addresses must not carry past the low 16 bits of the first one");
    // Protocol 0: the socket sends and receives nothing but what it is given.
    fd_ = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd_ < 0)
        throw sys_error("packet socket");
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_ifindex = ifindex;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) < 0) {
        close(fd_);
        throw sys_error("binding the packet socket");
    }
    int one = 1;
    setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);  // best effort: faster, not needed
}

PacketSocketSender::~PacketSocketSender() { close(fd_); }

uint64_t PacketSocketSender::next_random() {  // xorshift64
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
}

void PacketSocketSender::randomize(std::vector<uint8_t>& f) {
    const uint64_t r = next_random();
    testkit::put16(f, kSport, uint16_t(1024 + (r & (flows_ - 1))));
    if (f[kIp + 9] == 17)
        testkit::put16(f, kUdpCsum, 0);
    if (sources_ > 1) {
        const uint32_t saddr = htonl(base_saddr_ + uint32_t((r >> 32) & (sources_ - 1)));
        std::memcpy(&f[kIpSaddr], &saddr, 4);
        testkit::put16(f, kIpCsum, 0);
        testkit::put16(f, kIpCsum, testkit::inet_checksum(&f[kIp], 20));
    }
}

uint32_t PacketSocketSender::send_batch() {
    std::vector<iovec> iov(batch_.size());
    std::vector<mmsghdr> msgs(batch_.size());
    for (size_t i = 0; i < batch_.size(); ++i) {
        randomize(batch_[i]);
        iov[i] = {batch_[i].data(), batch_[i].size()};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = sendmmsg(fd_, msgs.data(), unsigned(msgs.size()), 0);
    if (sent < 0) {
        if (errno == ENOBUFS || errno == EAGAIN)
            return 0;  // the queue is full: the caller's clock goes on
        throw sys_error("sendmmsg on the packet socket");
    }
    return uint32_t(sent);
}

}  // namespace lvs::trafgen
