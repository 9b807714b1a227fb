#include "testkit/bpffs.h"

#include <errno.h>  // program_invocation_short_name
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <stdexcept>

namespace lvs::testkit {

BpfFs::BpfFs() {
    std::string tmpl = "/tmp/" + std::string(program_invocation_short_name) + "-bpffs-XXXXXX";
    if (!mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    if (mount("bpf", dir_.c_str(), "bpf", 0, "mode=0700") != 0) {
        rmdir(dir_.c_str());
        throw std::runtime_error("cannot mount a bpffs on " + dir_ + " (" + program_invocation_short_name +
                                 " must run as root)");
    }
}

BpfFs::~BpfFs() {
    umount(dir_.c_str());
    rmdir(dir_.c_str());
}

void enter_private_mount_namespace() {
    static const bool done = [] {
        if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            throw std::runtime_error(std::string("cannot enter a private mount namespace (") +
                                     program_invocation_short_name + " must run as root)");
        return true;
    }();
    (void)done;
}

}  // namespace lvs::testkit
