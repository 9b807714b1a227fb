// Small typed wrappers over BPF map file descriptors, so the control plane never
// handles raw bytes: each wrapper knows its key and value types from abi.h.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "error.h"

namespace lvs {

// Owns a map fd. name is used in error messages.
class MapFd {
public:
    MapFd() = default;
    // Reads the map's key and value sizes once, for expect_layout.
    MapFd(int fd, std::string name);
    MapFd(MapFd&& o) noexcept
        : fd_(std::exchange(o.fd_, -1)), name_(std::move(o.name_)), key_size_(o.key_size_), value_size_(o.value_size_) {}
    MapFd& operator=(MapFd&& o) noexcept {
        std::swap(fd_, o.fd_);
        std::swap(name_, o.name_);
        std::swap(key_size_, o.key_size_);
        std::swap(value_size_, o.value_size_);
        return *this;
    }
    MapFd(const MapFd&) = delete;
    MapFd& operator=(const MapFd&) = delete;
    ~MapFd();

    int fd() const { return fd_; }
    const std::string& name() const { return name_; }
    uint32_t max_entries() const;
    [[noreturn]] void fail(const char* what) const;
    // Throws UserError unless the map's keys and values have these sizes: a
    // pin left by an lvs-xdp whose structs differ (abi.h) is never read into
    // this build's types, which would mix fields or overrun them.
    void expect_layout(size_t key_size, size_t value_size) const;

private:
    int fd_ = -1;
    std::string name_;
    uint32_t key_size_ = 0, value_size_ = 0;
};

template <class K, class V>
class HashMap {
public:
    explicit HashMap(const MapFd& m) : m_(m) { m.expect_layout(sizeof(K), sizeof(V)); }

    std::optional<V> get(const K& k) const {
        V v;
        if (bpf_map_lookup_elem(m_.fd(), &k, &v) == 0)
            return v;
        return std::nullopt;
    }
    void put(const K& k, const V& v) const {
        if (bpf_map_update_elem(m_.fd(), &k, &v, BPF_ANY) != 0)
            m_.fail("update");
    }
    void erase(const K& k) const {
        if (bpf_map_delete_elem(m_.fd(), &k) != 0 && errno != ENOENT)
            m_.fail("delete");
    }
    // Every entry, read in batches (a connection table of a million entries
    // takes a few dozen syscalls, not two million).
    std::vector<std::pair<K, V>> entries() const {
        std::vector<std::pair<K, V>> out;
        constexpr uint32_t kChunk = 4096;
        std::vector<K> keys(kChunk);
        std::vector<V> values(kChunk);
        uint64_t token = 0;  // the kernel's position: a bucket index
        bool first = true;
        for (;;) {
            uint32_t count = kChunk;
            int rc = bpf_map_lookup_batch(m_.fd(), first ? nullptr : &token, &token, keys.data(), values.data(),
                                          &count, nullptr);
            for (uint32_t i = 0; i < count; ++i)
                out.emplace_back(keys[i], values[i]);
            if (rc != 0) {
                if (errno == ENOENT)
                    return out;
                m_.fail("batch lookup");
            }
            first = false;
        }
    }

private:
    const MapFd& m_;
};

template <class V>
class ArrayMap {
public:
    explicit ArrayMap(const MapFd& m) : m_(m) { m.expect_layout(sizeof(uint32_t), sizeof(V)); }

    V get(uint32_t i) const {
        V v{};
        if (bpf_map_lookup_elem(m_.fd(), &i, &v) != 0)
            m_.fail("lookup");
        return v;
    }
    void put(uint32_t i, const V& v) const {
        if (bpf_map_update_elem(m_.fd(), &i, &v, BPF_ANY) != 0)
            m_.fail("update");
    }
    // Writes values to consecutive indexes from first, in one syscall.
    void put_range(uint32_t first, const std::vector<V>& values) const;
    // Every element, read in batches.
    std::vector<V> all() const;
    // count elements from first, one lookup each (for short ranges).
    std::vector<V> get_range(uint32_t first, uint32_t count) const {
        std::vector<V> out;
        for (uint32_t i = first; i < first + count; ++i)
            out.push_back(get(i));
        return out;
    }

private:
    const MapFd& m_;
};

// A per-CPU array: reads sum the CPUs' copies with add(), writes set every copy.
template <class V>
class PerCpuArray {
public:
    explicit PerCpuArray(const MapFd& m) : m_(m), ncpu_(libbpf_num_possible_cpus()) {
        m.expect_layout(sizeof(uint32_t), sizeof(V));
    }

    std::vector<V> per_cpu(uint32_t i) const {
        std::vector<Slot> raw(ncpu_);
        if (bpf_map_lookup_elem(m_.fd(), &i, raw.data()) != 0)
            m_.fail("lookup");
        std::vector<V> v;
        for (const Slot& s : raw)
            v.push_back(s.value);
        return v;
    }
    void set_per_cpu(uint32_t i, const std::vector<V>& values) const {
        std::vector<Slot> raw(ncpu_);
        for (size_t c = 0; c < raw.size() && c < values.size(); ++c)
            raw[c].value = values[c];
        if (bpf_map_update_elem(m_.fd(), &i, raw.data(), BPF_ANY) != 0)
            m_.fail("update");
    }
    void set_all(uint32_t i, const V& value) const { set_per_cpu(i, std::vector<V>(ncpu_, value)); }

private:
    // The kernel lays each CPU's copy out on an 8-byte boundary.
    struct alignas(8) Slot {
        V value{};
    };
    const MapFd& m_;
    int ncpu_;
};

template <class V>
void ArrayMap<V>::put_range(uint32_t first, const std::vector<V>& values) const {
    if (values.empty())
        return;
    std::vector<uint32_t> keys(values.size());
    for (uint32_t i = 0; i < keys.size(); ++i)
        keys[i] = first + i;
    uint32_t count = values.size();
    if (bpf_map_update_batch(m_.fd(), keys.data(), values.data(), &count, nullptr) != 0)
        m_.fail("batch update");
}

template <class V>
std::vector<V> ArrayMap<V>::all() const {
    uint32_t n = m_.max_entries();
    std::vector<uint32_t> keys(n);
    std::vector<V> values(n);
    uint32_t done = 0, out_batch = 0;
    while (done < n) {
        uint32_t count = n - done;
        int rc = bpf_map_lookup_batch(m_.fd(), done ? &out_batch : nullptr, &out_batch,
                                      keys.data() + done, values.data() + done, &count, nullptr);
        done += count;
        if (rc != 0) {
            if (errno == ENOENT)
                break;
            m_.fail("batch lookup");
        }
    }
    return values;
}

}  // namespace lvs
