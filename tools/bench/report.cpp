#include "report.h"

#include <cstdio>
#include <optional>
#include <string>

namespace lvs::bench {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
}

void print_row(std::ostream& out, const std::string& name, const Series& s, double floor,
               const std::string& target = "", const std::string& met = "") {
    double ns = s.median();
    out << "| " << name << " | " << fmt("%.1f", ns) << " | " << fmt("%.2f", ns / floor) << " | "
        << fmt("%.1f", 1000.0 / ns) << " | " << fmt("%.1f", s.spread()) << " | " << target << " | " << met
        << " |\n";
}

const Result* find(const std::vector<Result>& results, const std::string& name) {
    for (const Result& r : results)
        if (r.c->name == name)
            return &r;
    return nullptr;
}

// The target's limit in ns and how it reads, or nothing when it depends on a
// case that was not measured.
std::optional<std::pair<double, std::string>> limit(const Target& t, const Floors& f,
                                                    const std::vector<Result>& results) {
    std::string times = fmt("%g", t.value) + "x ";
    switch (t.kind) {
    case Target::Kind::TimesDrop:
        return std::pair{t.value * f.drop.median(), times + "XDP_DROP"};
    case Target::Kind::TimesMacSwap:
        return std::pair{t.value * f.mac_swap.median(), times + "MAC-swap floor"};
    case Target::Kind::Ns:
        return std::pair{t.value, std::string()};
    case Target::Kind::TimesCase: {
        const Result* other = find(results, t.of_case);
        if (!other || !other->error.empty())
            return std::nullopt;
        return std::pair{t.value * other->ns.median(), times + "\"" + t.of_case + "\""};
    }
    }
    return std::nullopt;
}

// "<= 31.5 ns (1.5x XDP_DROP)" and "met" / "NOT met"; empty without a target.
std::pair<std::string, std::string> judge(const Result& r, const Floors& f, const std::vector<Result>& results) {
    if (!r.c->target)
        return {"", ""};
    auto l = limit(*r.c->target, f, results);
    if (!l)
        return {"relative to " + r.c->target->of_case + ", not measured", "unknown"};
    std::string text = "<= " + fmt("%.1f", l->first) + " ns" + (l->second.empty() ? "" : " (" + l->second + ")");
    if (!r.error.empty())
        return {text, "NOT met (no number)"};
    return {text, r.ns.median() <= l->first ? "met" : "NOT met"};
}

}  // namespace

void print_table(std::ostream& out, const Floors& f, const std::vector<Result>& results) {
    double floor = f.mac_swap.median();
    out << "| case | ns/packet | x MAC-swap floor | Mpps/core | spread (ns) | target | met |\n"
        << "| --- | ---: | ---: | ---: | ---: | --- | --- |\n";
    print_row(out, "floor: XDP_DROP", f.drop, floor);
    print_row(out, "floor: parse + MAC swap + XDP_TX", f.mac_swap, floor);
    const std::pair<Vary, const char*> resets[] = {{Vary::None, "reset alone: same frame"},
                                                   {Vary::Pool, "reset alone: flow from the pool"},
                                                   {Vary::New, "reset alone: new flow"},
                                                   {Vary::PoolDst, "reset alone: destination from the pool"}};
    for (const auto& [v, name] : resets)
        if (f.reset.count(v))
            print_row(out, name, f.reset.at(v), floor, "(subtracted below)");
    print_row(out, "check: MAC-swap floor through the reset", f.mac_swap_via_reset, floor, "= MAC-swap floor");
    print_row(out, "floor: MAC swap + read the flow's 64-byte line, 1 of 2^20 flows", f.mac_swap_read, floor,
              "(the least any lookup of 2^20 flows costs here)");
    for (const Result& r : results) {
        auto [target, met] = judge(r, f, results);
        if (r.error.empty())
            print_row(out, r.c->name, r.ns, floor, target, met);
        else
            out << "| " << r.c->name << " | - | - | - | - | " << target << " | " << (met.empty() ? "no number" : met) << ": " << r.error << " |\n";
    }
}

}  // namespace lvs::bench
