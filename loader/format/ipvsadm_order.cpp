// ipvsadm sorts with qsort and libipvs's comparators. Those compare addresses
// by subtracting them as 32-bit numbers and reading the difference as a signed
// int, so addresses 2^31 or more apart compare the "wrong" way round (10.0.0.1
// lists after 192.168.0.1). The comparison is then not a strict order, and the
// result depends on the sort algorithm too; glibc's qsort is a top-down merge
// sort, so the same comparison with the same merge sort gives ipvsadm's output.
#include "format/ipvsadm_order.h"

#include <cstdint>

namespace lvs {
namespace {

int wrapped_difference(uint32_t a, uint32_t b) {
    return static_cast<int32_t>(a - b);
}

uint32_t host_order_word(const Addr& a, int i) {
    const auto* b = &a.bytes[4 * i];
    return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

// The family of the left-hand address decides how many words are compared.
int compare_addrs(const Addr& a, const Addr& b) {
    const int words = a.is_v6() ? 4 : 1;
    for (int i = 0; i < words; ++i)
        if (int r = wrapped_difference(host_order_word(a, i), host_order_word(b, i)))
            return r;
    return 0;
}

// No fwmark services here, so ipvsadm's first key (the mark) is always equal.
int compare_services(const Service* a, const Service* b) {
    if (int r = a->key.addr.family - b->key.addr.family)
        return r;
    if (int r = static_cast<int>(a->key.proto) - static_cast<int>(b->key.proto))
        return r;
    if (int r = compare_addrs(a->key.addr, b->key.addr))
        return r;
    return a->key.port - b->key.port;
}

int compare_dests(const Dest* a, const Dest* b) {
    if (int r = compare_addrs(a->addr, b->addr))
        return r;
    return a->port - b->port;
}

// Top-down merge sort: the left half is the first n/2 items, and on a tie the
// left item goes first.
template <class T, class Compare>
void merge_sort(std::vector<T>& v, Compare compare) {
    if (v.size() < 2)
        return;
    std::vector<T> left(v.begin(), v.begin() + v.size() / 2);
    std::vector<T> right(v.begin() + v.size() / 2, v.end());
    merge_sort(left, compare);
    merge_sort(right, compare);
    size_t l = 0, r = 0, out = 0;
    while (l < left.size() && r < right.size())
        v[out++] = compare(left[l], right[r]) <= 0 ? left[l++] : right[r++];
    while (l < left.size())
        v[out++] = left[l++];
    while (r < right.size())
        v[out++] = right[r++];
}

}  // namespace

std::vector<const Service*> ordered_services(const Config& cfg, bool sort) {
    std::vector<const Service*> out;
    for (const Service& s : cfg.services())
        out.push_back(&s);
    if (sort)
        merge_sort(out, compare_services);
    return out;
}

std::vector<const Dest*> ordered_dests(const Service& svc, bool sort) {
    std::vector<const Dest*> out;
    for (const Dest& d : svc.dests)
        out.push_back(&d);
    if (sort)
        merge_sort(out, compare_dests);
    return out;
}

}  // namespace lvs
