// A private bpffs for the pins of a BPF object under test.
#pragma once

#include <string>

namespace lvs::testkit {

// A bpffs mounted on a new directory under /tmp; unmounted and removed however
// its owner goes (also when the owner's constructor throws after it).
class BpfFs {
public:
    BpfFs();
    ~BpfFs();
    BpfFs(const BpfFs&) = delete;
    BpfFs& operator=(const BpfFs&) = delete;

    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
};

// Moves the process into a private mount namespace, so that its bpffs mounts
// vanish with it even when it is killed (lvs-bench may be, under perf). Once a
// process; later calls do nothing.
void enter_private_mount_namespace();

}  // namespace lvs::testkit
