#include "realserver/tun_host.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "error.h"
#include "maps/pin_dir.h"
#include "net/netlink.h"
#include "rs_decap.skel.h"

namespace lvs {
namespace {

const char* const kTunl0 = "tunl0";
const char* const kVipsMap = "lvs_rs_vips";
const char* const kPortsMap = "lvs_rs_gue_ports";

std::string err_text(int err) { return std::strerror(err < 0 ? -err : err); }

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// The name of BPF program id (empty when it is gone).
std::string prog_name(uint32_t id) {
    Fd fd(bpf_prog_get_fd_by_id(id));
    if (fd.get() < 0) return "";
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return "";
    return info.name;
}

struct XdpOnDev {
    uint32_t drv = 0, skb = 0;  // program ids in native and generic mode
};

XdpOnDev xdp_query(int ifindex) {
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    XdpOnDev r;
    if (bpf_xdp_query(ifindex, 0, &q) == 0) {
        r.drv = q.drv_prog_id;
        r.skb = q.skb_prog_id;
        // Older kernels report a single program in prog_id only.
        if (!r.drv && !r.skb && q.prog_id) {
            if (q.attach_mode == XDP_ATTACHED_SKB)
                r.skb = q.prog_id;
            else
                r.drv = q.prog_id;
        }
    }
    return r;
}

bool is_ours(uint32_t id) { return id && prog_name(id) == kRsDecapProgName; }

std::string pin_path(const std::string& dir, const char* map) { return dir + "/" + map; }

class SystemTunHost : public TunHost {
public:
    ~SystemTunHost() override {
        if (skel_) rs_decap__destroy(skel_);
    }

    // ---- tunl0 ----
    bool tunl0_exists() override { return find_ifindex(kTunl0).has_value(); }
    Create tunl0_create() override {
        switch (create_link(kTunl0, "ipip")) {
        case LinkCreated::Created: return Create::Created;
        case LinkCreated::Exists: return Create::Exists;
        default: return Create::Unsupported;
        }
    }
    void tunl0_delete() override { delete_link(tunl0()); }
    bool tunl0_is_up() override { return iface_flags(tunl0()) & IFF_UP; }
    void tunl0_set_up(bool up) override { set_link_up(tunl0(), up); }
    bool tunl0_has_vip(const Addr& vip) override { return has_address(tunl0(), vip); }
    void tunl0_add_vip(const Addr& vip) override { add_address(tunl0(), vip, 32); }
    void tunl0_del_vip(const Addr& vip) override { del_address(tunl0(), vip, -1); }

    // ---- rs_decap ----
    std::vector<std::string> default_devices() override {
        std::vector<std::string> out;
        for (const auto& l : list_links())
            if ((l.flags & IFF_UP) && !(l.flags & IFF_LOOPBACK)) out.push_back(l.name);
        return out;
    }

    void check_device(const std::string& dev) override {
        auto idx = find_ifindex(dev);
        if (!idx) throw UserError("no such interface: " + dev);
        if (iface_flags(*idx) & IFF_LOOPBACK)
            throw UserError(dev + " is a loopback interface: the decapsulating program goes on the interfaces "
                                  "tunnelled packets arrive on");
    }

    std::optional<std::string> decap_attach(const std::string& pin_dir, const std::string& dev) override {
        auto idx = find_ifindex(dev);
        if (!idx) throw UserError("no such interface: " + dev);
        XdpOnDev on = xdp_query(*idx);
        if (is_ours(on.drv) || is_ours(on.skb)) return std::nullopt;
        for (uint32_t id : {on.drv, on.skb})
            if (id)
                throw UserError(dev + " has another XDP program attached (id " + std::to_string(id) + ", " +
                                prog_name(id) + "); lvs-xdp's decapsulating program cannot share it (name the interfaces "
                                "tunnelled packets arrive on with --dev)");
        load(pin_dir);
        const int prog = bpf_program__fd(skel_->progs.lvs_rs_decap);
        int err = bpf_xdp_attach(*idx, prog, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE, nullptr);
        if (err == 0) return "native mode";
        int err2 = bpf_xdp_attach(*idx, prog, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_SKB_MODE, nullptr);
        if (err2 == 0) return "generic mode; native failed: " + err_text(err);
        throw UserError("cannot attach the decapsulating XDP program to " + dev + ": native: " + err_text(err) +
                        ", generic: " + err_text(err2));
    }

    bool decap_detach(const std::string& dev) override {
        auto idx = find_ifindex(dev);
        if (!idx) return false;
        XdpOnDev on = xdp_query(*idx);
        bool done = false;
        for (auto [id, mode] : {std::pair{on.drv, XDP_FLAGS_DRV_MODE}, std::pair{on.skb, XDP_FLAGS_SKB_MODE}}) {
            if (!is_ours(id)) continue;
            Fd fd(bpf_prog_get_fd_by_id(id));
            if (fd.get() < 0) continue;
            // Detaches only if our program is still the one there (XDP_FLAGS_REPLACE).
            LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = fd.get());
            int err = bpf_xdp_detach(*idx, mode, &opts);
            if (err) throw UserError("cannot detach the decapsulating XDP program from " + dev + ": " + err_text(err));
            done = true;
        }
        return done;
    }

    std::string decap_where(const std::string& dev) override {
        auto idx = find_ifindex(dev);
        if (!idx) return "interface gone";
        XdpOnDev on = xdp_query(*idx);
        if (is_ours(on.drv)) return "native";
        if (is_ours(on.skb)) return "generic";
        return "not attached";
    }

    void decap_set(const std::string& pin_dir, const std::vector<Addr>& vips,
                   const std::vector<uint16_t>& gue_ports) override {
        load(pin_dir);
        std::map<std::vector<uint8_t>, bool> want_vips, want_ports;
        for (const auto& v : vips) {
            lvs_addr k = v.to_abi();
            want_vips[std::vector<uint8_t>(reinterpret_cast<uint8_t*>(&k), reinterpret_cast<uint8_t*>(&k) + sizeof k)] = true;
        }
        for (uint16_t p : gue_ports) {
            uint16_t k = htons(p);
            want_ports[std::vector<uint8_t>(reinterpret_cast<uint8_t*>(&k), reinterpret_cast<uint8_t*>(&k) + sizeof k)] = true;
        }
        sync(bpf_map__fd(skel_->maps.lvs_rs_vips), sizeof(lvs_addr), want_vips, kVipsMap);
        sync(bpf_map__fd(skel_->maps.lvs_rs_gue_ports), sizeof(uint16_t), want_ports, kPortsMap);
    }

    void decap_unpin(const std::string& pin_dir) override {
        for (const char* m : {kVipsMap, kPortsMap}) {
            const std::string p = pin_path(pin_dir, m);
            if (unlink(p.c_str()) != 0 && errno != ENOENT)
                throw UserError("cannot remove " + p + ": " + err_text(errno));
        }
        rmdir(pin_dir.c_str());  // only if empty; a leftover directory is harmless
    }

private:
    int tunl0() {
        auto idx = find_ifindex(kTunl0);
        if (!idx) throw UserError("there is no tunl0 interface");
        return *idx;
    }

    // Makes the hash map fd hold exactly the keys of want (values 1).
    static void sync(int fd, size_t key_size, const std::map<std::vector<uint8_t>, bool>& want, const char* name) {
        std::vector<std::vector<uint8_t>> extra;
        std::vector<uint8_t> key(key_size), next(key_size);
        const void* prev = nullptr;
        while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
            if (!want.count(next)) extra.push_back(next);
            key = next;
            prev = key.data();
        }
        for (const auto& k : extra)
            if (bpf_map_delete_elem(fd, k.data()) != 0 && errno != ENOENT)
                throw UserError(std::string("cannot update BPF map ") + name + ": " + err_text(errno));
        const uint8_t one = 1;
        for (const auto& [k, _] : want)
            if (bpf_map_update_elem(fd, k.data(), &one, BPF_ANY) != 0)
                throw UserError(std::string("cannot update BPF map ") + name + ": " + err_text(errno));
    }

    // Our program attached to some interface of this namespace, if any.
    static uint32_t attached_prog() {
        for (const auto& l : list_links()) {
            XdpOnDev on = xdp_query(l.ifindex);
            for (uint32_t id : {on.drv, on.skb})
                if (is_ours(id)) return id;
        }
        return 0;
    }

    // The pins are gone but the program still runs: pin its maps again, so
    // the object loaded next shares them.
    static void repin_from_attached(const std::string& pin_dir) {
        uint32_t prog = attached_prog();
        if (!prog) return;
        Fd pfd(bpf_prog_get_fd_by_id(prog));
        if (pfd.get() < 0) return;
        uint32_t ids[8] = {};
        bpf_prog_info info{};
        info.nr_map_ids = 8;
        info.map_ids = reinterpret_cast<uint64_t>(ids);
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(pfd.get(), &info, &len) != 0) return;
        for (uint32_t i = 0; i < info.nr_map_ids && i < 8; ++i) {
            Fd mfd(bpf_map_get_fd_by_id(ids[i]));
            if (mfd.get() < 0) continue;
            bpf_map_info mi{};
            uint32_t mlen = sizeof mi;
            if (bpf_obj_get_info_by_fd(mfd.get(), &mi, &mlen) != 0) continue;
            for (const char* m : {kVipsMap, kPortsMap})
                // The kernel keeps BPF_OBJ_NAME_LEN - 1 characters: "lvs_rs_gue_port".
                if (std::string(m).substr(0, BPF_OBJ_NAME_LEN - 1) == mi.name &&
                    access(pin_path(pin_dir, m).c_str(), F_OK) != 0)
                    if (bpf_obj_pin(mfd.get(), pin_path(pin_dir, m).c_str()) != 0)
                        throw UserError("cannot pin " + pin_path(pin_dir, m) + ": " + err_text(errno));
        }
    }

    // Loads rs_decap with its maps pinned in pin_dir (reusing pinned ones).
    void load(const std::string& pin_dir) {
        if (skel_) {
            if (pin_dir != loaded_dir_) throw UserError("internal error: rs_decap loaded from " + loaded_dir_);
            return;
        }
        prepare_pin_dir(pin_dir);
        if (access(pin_path(pin_dir, kVipsMap).c_str(), F_OK) != 0) repin_from_attached(pin_dir);
        LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir.c_str());
        rs_decap* s = rs_decap__open_opts(&oo);
        if (!s) throw UserError("cannot open the embedded decapsulating BPF object: " + err_text(errno));
        if (int err = rs_decap__load(s)) {
            rs_decap__destroy(s);
            throw UserError("cannot load the decapsulating BPF program (maps in " + pin_dir + "): " + err_text(err) +
                            " (LVS_XDP_DEBUG=1 shows libbpf's messages)");
        }
        skel_ = s;
        loaded_dir_ = pin_dir;
    }

    rs_decap* skel_ = nullptr;
    std::string loaded_dir_;
};

}  // namespace

std::unique_ptr<TunHost> system_tun_host() { return std::make_unique<SystemTunHost>(); }

}  // namespace lvs
