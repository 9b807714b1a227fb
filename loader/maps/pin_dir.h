// Where the pinned maps live: --pin-dir, else $LVS_XDP_PIN_DIR, else
// /sys/fs/bpf/lvs-xdp. All interfaces attached with one pin directory share its
// maps, as IPVS has one service table per network namespace.
#pragma once

#include <optional>
#include <string>

namespace lvs {

inline constexpr const char* kDefaultPinDir = "/sys/fs/bpf/lvs-xdp";

std::string resolve_pin_dir(const std::optional<std::string>& from_cli);

// Makes sure dir exists on a BPF filesystem (mode 0700), mounting one where
// there is none: on /sys/fs/bpf for paths below it, else on dir itself.
void prepare_pin_dir(const std::string& dir);

// Serialises lvs-xdp commands that change the maps: a second one waits for the
// first instead of interleaving its updates.
class PinDirLock {
public:
    explicit PinDirLock(const std::string& dir);
    ~PinDirLock();
    PinDirLock(const PinDirLock&) = delete;
    PinDirLock& operator=(const PinDirLock&) = delete;

private:
    int fd_;
};

}  // namespace lvs
