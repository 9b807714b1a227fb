#include "maps/pin_dir.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "error.h"

namespace fs = std::filesystem;

namespace lvs {
namespace {

bool on_bpffs(const fs::path& p) {
    struct statfs st {};
    return statfs(p.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

void mount_bpffs(const fs::path& where) {
    fs::create_directories(where);
    if (mount("bpf", where.c_str(), "bpf", 0, "mode=0700") != 0)
        throw UserError("cannot mount a BPF filesystem on " + where.string() + ": " + std::strerror(errno) +
                        " (mount one with: mount -t bpf bpf " + where.string() + ")");
}

}  // namespace

std::string resolve_pin_dir(const std::optional<std::string>& from_cli) {
    if (from_cli && !from_cli->empty())
        return *from_cli;
    if (const char* env = std::getenv("LVS_XDP_PIN_DIR"); env && *env)
        return env;
    return kDefaultPinDir;
}

void prepare_pin_dir(const std::string& dir) {
    fs::path p(dir);
    fs::path existing = p;
    while (!existing.empty() && !fs::exists(existing))
        existing = existing.parent_path();
    if (!on_bpffs(existing)) {
        const fs::path sysfs_bpf = "/sys/fs/bpf";
        bool below_sysfs_bpf = p.string().rfind(sysfs_bpf.string() + "/", 0) == 0;
        mount_bpffs(below_sysfs_bpf ? sysfs_bpf : p);
    }
    fs::create_directories(p);
    // Root's alone: what the maps hold steers traffic.
    if (chmod(p.c_str(), 0700) != 0)
        throw UserError("cannot make pin directory " + dir + " root's alone (chmod 0700): " + std::strerror(errno));
    if (!on_bpffs(p))
        throw UserError("pin directory " + dir + " is not on a BPF filesystem");
}

PinDirLock::PinDirLock(const std::string& dir) : fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0)
        throw UserError("cannot lock pin directory " + dir + ": " + std::strerror(errno));
}

PinDirLock::~PinDirLock() {
    if (fd_ >= 0)
        close(fd_);
}

}  // namespace lvs
