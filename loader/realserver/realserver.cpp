#include "realserver/realserver.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "error.h"
#include "net/netlink.h"
#include "realserver/realserver_state.h"
#include "realserver/tun_host.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace lvs {
namespace {

const char* const kStateDir = "/run/lvs-xdp";

std::string errno_text() { return std::strerror(errno); }

class SystemHost : public RealserverHost {
public:
    explicit SystemHost(std::string dir) : dir_(std::move(dir)) {}

    uint64_t netns_cookie() override {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return 0;
        uint64_t cookie = 0;
        socklen_t len = sizeof cookie;
        if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0) cookie = 0;
        close(fd);
        return cookie;
    }

    std::string state_location() override { return path(); }

    std::optional<std::string> load_state() override {
        int fd = open(path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) return std::nullopt;
            throw UserError("cannot read " + path() + ": " + errno_text());
        }
        std::string text;
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
        int e = errno;
        close(fd);
        if (n < 0) throw UserError("cannot read " + path() + ": " + std::strerror(e));
        return text;
    }

    // Serialises add/del of concurrent lvs-xdp processes (of any namespace:
    // they share the directory); released when the host is destroyed.
    void lock() {
        make_dir();
        lock_fd_ = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lock_fd_ < 0) throw UserError("cannot open " + dir_ + ": " + errno_text());
        if (flock(lock_fd_, LOCK_EX) < 0) throw UserError("cannot lock " + dir_ + ": " + errno_text());
    }
    ~SystemHost() override {
        if (lock_fd_ >= 0) close(lock_fd_);
    }

    void store_state(const std::string& text) override {
        make_dir();
        const std::string tmp = path() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << text;
            out.flush();
            if (!out) throw UserError("cannot write " + tmp + ": " + errno_text());
        }
        if (rename(tmp.c_str(), path().c_str()) < 0) {
            int e = errno;
            unlink(tmp.c_str());
            throw UserError("cannot write " + path() + ": " + std::strerror(e));
        }
    }

    void remove_state() override {
        if (unlink(path().c_str()) < 0 && errno != ENOENT)
            throw UserError("cannot remove " + path() + ": " + errno_text());
    }

    std::string read_sysctl(const std::string& key) override {
        const std::string p = sysctl_path(key);
        std::ifstream in(p);
        std::string value;
        if (!in || !(in >> value)) throw UserError("cannot read " + p + ": " + errno_text());
        return value;
    }

    void write_sysctl(const std::string& key, const std::string& value) override {
        const std::string p = sysctl_path(key);
        int fd = open(p.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) throw UserError("cannot write " + p + ": " + errno_text());
        const std::string line = value + "\n";
        ssize_t n = write(fd, line.data(), line.size());
        int e = errno;
        close(fd);
        if (n != static_cast<ssize_t>(line.size()))
            throw UserError("cannot write " + p + ": " + std::strerror(n < 0 ? e : EIO));
    }

    bool has_vip(const Addr& vip) override { return has_address(lo(), vip); }
    void add_vip(const Addr& vip) override { add_address(lo(), vip, vip.is_v6() ? 128 : 32); }
    void del_vip(const Addr& vip) override { del_address(lo(), vip, -1); }

private:
    void make_dir() {
        if (mkdir(dir_.c_str(), 0755) < 0 && errno != EEXIST)
            throw UserError("cannot create " + dir_ + ": " + errno_text());
    }

    static std::string sysctl_path(const std::string& key) { return "/proc/sys/net/ipv4/conf/" + key; }

    int lo() {
        if (!lo_) lo_ = ifindex_of("lo");
        return lo_;
    }

    std::string path() {
        if (path_.empty()) {
            struct stat sb {};
            if (stat("/proc/self/ns/net", &sb) < 0)
                throw UserError("cannot identify the network namespace (/proc/self/ns/net): " + errno_text());
            path_ = dir_ + "/realserver-" + std::to_string(static_cast<unsigned long long>(sb.st_ino)) + ".state";
        }
        return path_;
    }

    std::string dir_;
    std::string path_;
    int lo_ = 0;
    int lock_fd_ = -1;
};

}  // namespace

std::unique_ptr<RealserverHost> system_realserver_host(const std::string& state_dir) {
    return std::make_unique<SystemHost>(state_dir);
}

std::string realserver_add(const Addr& vip) {
    SystemHost host(kStateDir);
    host.lock();
    return realserver_add(host, vip);
}

std::string realserver_del(const Addr& vip) {
    SystemHost host(kStateDir);
    host.lock();
    return realserver_del(host, vip);
}

std::string realserver_tun_add(const Addr& vip, TunOptions opts) {
    SystemHost host(kStateDir);
    host.lock();
    opts.pin_dir += "/realserver-" + std::to_string(static_cast<unsigned long long>(host.netns_cookie()));
    auto tun = system_tun_host();
    return realserver_tun_add(host, *tun, vip, opts);
}

std::string realserver_tun_del(const Addr& vip) {
    SystemHost host(kStateDir);
    host.lock();
    auto tun = system_tun_host();
    return realserver_tun_del(host, *tun, vip);
}

std::string realserver_status() {
    auto host = system_realserver_host();
    auto tun = system_tun_host();
    return realserver_status(*host, tun.get());
}

}  // namespace lvs
