// The -R text parser (restore_into) fed generated restore texts: valid ones
// (-A/-a lines with random addresses, ports, schedulers, flags, weights and
// forwarding methods), harmless variations of them (CRLF, comments, blank
// lines, no final newline, very long blank-padded lines, the program name in
// front), and mutations (bytes and tokens deleted, inserted, replaced, lines
// dropped, doubled, swapped, random-byte, NUL and >64 KiB lines).
// Properties:
//   (a) nothing but a UserError is ever thrown, with one of ipvsadm's statuses,
//       and no text with a NUL byte in a command line is taken;
//   (b) a rejected text leaves the configuration exactly as it was, and its
//       message is one non-empty line "line N: reason", N a line of the text
//       that holds a command;
//   (c) a valid text (and every harmless variation of it) is accepted, gives
//       what its lines applied one by one give, and round-trips: its -S -n
//       output restores into a fresh Config equal to it.
// The MutantsAreCaught tests run the same checks against deliberately broken
// restores and savers, so that each property is shown able to fail.
// Seeded: a failure prints the seed and the text; LVS_FUZZ_SEED replays a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "cli/command.h"
#include "cli/restore.h"
#include "config_of.h"
#include "error.h"
#include "format/save.h"
#include "fuzz_util.h"

using namespace lvs;
using lvs::test::fuzz_seed;
using lvs::test::snapshot;

namespace {

constexpr uint64_t kDefaultSeed = 0x2e570e5d;
constexpr int kValidTexts = 700;
constexpr int kMutantsPerText = 5;
constexpr size_t kLongLine = 70 * 1024;  // over 64 KiB

using Words = std::vector<std::string>;
using RestoreFn = std::function<void(Config&, std::istream&)>;
using SaveFn = std::function<std::string(const Config&)>;

const std::vector<std::string> kScheds = {"rr",  "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
                                          "sh",  "sed", "nq", "fo",  "ovf",  "mh",    "twos"};
// Tokens a mutation puts in place of (or next to) a word.
const std::vector<std::string> kHostile = {
    "-A", "-E", "-D", "-C", "-a", "-e", "-d", "-L", "-S", "-R", "-h", "-v", "--set", "-t", "-u", "-f",
    "-s", "-p", "-M", "-r", "-g", "-m", "-i", "-w", "-x", "-y", "-b", "--tun-type", "--tun-port",
    "--tun-csum", "--fullnat", "--", "-", "#", "ipvsadm", "lvs-xdp", "0", "-1", "65536",
    "99999999999999999999", "10.0.0", "256.1.1.1", "[::1]:80", "[2001:db8::1]:80", "10.0.0.1:",
    ":80", "gue", "gre", "vxlan", "sh-port", "flag-3", "nope", "\x01", "\x7f", "\xff\xfe",
    std::string("a\0b", 3), std::string(300, '9')};

std::string printable(const std::string& s, size_t max = 600) {
    std::string out;
    for (size_t i = 0; i < s.size() && out.size() < max; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else
            out += static_cast<char>(c);
    }
    if (out.size() >= max)
        out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// The configuration with its services and their servers in one order, for
// comparing a configuration with its saved and restored copy (-S sorts).
std::string canonical(const Config& cfg) {
    Config c = cfg;
    auto& svcs = c.services();
    std::sort(svcs.begin(), svcs.end(), [](const Service& a, const Service& b) { return a.key < b.key; });
    for (Service& s : svcs)
        std::sort(s.dests.begin(), s.dests.end(), [](const Dest& a, const Dest& b) {
            return std::tie(a.addr, a.port) < std::tie(b.addr, b.port);
        });
    return snapshot(c);
}

// A valid restore text: the words of each command line, and the text.
struct ValidText {
    std::vector<Words> commands;
    std::string text;
};

class TextFuzzer {
public:
    explicit TextFuzzer(uint64_t seed) : rng_(seed) {}

    ValidText valid() {
        struct Svc {
            Words head;             // "-A", ... (the whole -A line)
            std::vector<Words> dests;
        };
        std::vector<Svc> svcs;
        std::set<std::string> keys;
        const size_t n = 1 + below(5);
        while (svcs.size() < n) {
            const bool udp = chance(1, 3);
            const std::string addr = "10." + num(4) + "." + num(4) + "." + std::to_string(1 + below(254));
            const bool persistent = chance(1, 3);
            const uint16_t port = persistent && chance(1, 3) ? 0 : pick_port();
            const std::string ep = addr + ":" + std::to_string(port);
            if (!keys.insert((udp ? "u" : "t") + ep).second)
                continue;
            const Words svc_opt = {udp ? pick({"-u", "--udp-service"}) : pick({"-t", "--tcp-service"}), ep};
            std::vector<Words> groups = {svc_opt};
            const std::string sched = chance(1, 8) ? "wlc" : kScheds[below(kScheds.size())];
            const bool sched_given = sched != "wlc" || chance(1, 2);
            if (sched_given)
                groups.push_back({pick({"-s", "--scheduler"}), sched});
            if (persistent) {
                if (chance(1, 2))
                    groups.push_back({"-p"});
                else
                    groups.push_back({pick({"-p", "--persistent"}), std::to_string(1 + below(86400 * 31))});
                if (chance(1, 2))
                    groups.push_back({pick({"-M", "--netmask"}), mask_of(below(33))});
            }
            if (chance(1, 3)) {
                // sh and mh name their flags; -b flag-3 under them saves as a
                // bare "-b " (as ipvsadm), which no restore takes: left out.
                const bool named = sched == "sh" || sched == "mh";
                std::vector<std::string> flags;
                for (int bit = 1; bit <= (named ? 2 : 3); ++bit)
                    if (chance(1, 2))
                        flags.push_back(named && chance(2, 3) ? sched + (bit == 1 ? "-fallback" : "-port")
                                                              : "flag-" + std::to_string(bit));
                if (!flags.empty()) {
                    std::string b;
                    for (const auto& f : flags)
                        b += (b.empty() ? "" : ",") + f;
                    groups.push_back({pick({"-b", "--sched-flags"}), b});
                }
            }
            Svc s;
            s.head = command(pick({"-A", "--add-service"}), groups);
            std::set<std::string> dest_keys;
            const size_t m = below(5);
            for (size_t tries = 0; s.dests.size() < m && tries < 20; ++tries) {
                const std::string daddr = "192.168." + num(4) + "." + std::to_string(1 + below(254));
                std::vector<Words> dg = {svc_opt};
                const size_t fwd = below(4);  // none (-g), -g, -m, -i
                uint16_t dport = port;
                if (fwd == 1)
                    dg.push_back({pick({"-g", "--gatewaying"})});
                if (fwd == 2) {
                    dg.push_back({pick({"-m", "--masquerading"})});
                    dport = chance(1, 2) ? port : pick_port();
                    if (chance(1, 3))
                        dg.push_back({"--fullnat"});
                }
                if (fwd == 3) {
                    dg.push_back({pick({"-i", "--ipip"})});
                    switch (below(4)) {
                    case 0: break;
                    case 1: dg.push_back({"--tun-type", "ipip"}); break;
                    case 2:
                        dg.push_back({"--tun-type", "gue"});
                        dg.push_back({"--tun-port", std::to_string(1 + below(65535))});
                        if (chance(1, 2))
                            dg.push_back({pick({"--tun-nocsum", "--tun-csum", "--tun-remcsum"})});
                        break;
                    case 3:
                        dg.push_back({"--tun-type", "gre"});
                        if (chance(1, 2))
                            dg.push_back({pick({"--tun-nocsum", "--tun-csum"})});
                        break;
                    }
                }
                if (!dest_keys.insert(daddr + ":" + std::to_string(dport)).second)
                    continue;
                dg.push_back({pick({"-r", "--real-server"}), daddr + ":" + std::to_string(dport)});
                if (chance(4, 5))
                    dg.push_back({pick({"-w", "--weight"}), std::to_string(chance(1, 10) ? 0 : below(65536))});
                s.dests.push_back(command(pick({"-a", "--add-server"}), dg));
            }
            svcs.push_back(std::move(s));
        }
        // Each service's -A before its -a lines, the services interleaved.
        ValidText v;
        if (chance(1, 4))
            v.commands.push_back({"-C"});
        std::vector<size_t> next(svcs.size(), 0);  // 0: the -A line, k: dest k-1
        for (size_t left = std::accumulate(svcs.begin(), svcs.end(), size_t{0},
                                           [](size_t a, const Svc& s) { return a + 1 + s.dests.size(); });
             left; --left) {
            size_t i;
            do
                i = below(svcs.size());
            while (next[i] > svcs[i].dests.size());
            v.commands.push_back(next[i] == 0 ? svcs[i].head : svcs[i].dests[next[i] - 1]);
            ++next[i];
        }
        for (const Words& w : v.commands) {
            std::string line = chance(1, 10) ? pick({"ipvsadm ", "lvs-xdp ", "ipvsadm\t"}) : "";
            for (size_t k = 0; k < w.size(); ++k)
                line += (k ? (chance(1, 10) ? pick({"\t", "  ", " \t "}) : " ") : "") + w[k];
            v.text += line + "\n";
        }
        return v;
    }

    // Changes that keep a text's meaning: line ends, blank and comment lines,
    // blanks, the final newline.
    std::string harmless(std::string text) {
        const size_t n = 1 + below(3);
        for (size_t i = 0; i < n; ++i) {
            switch (below(6)) {
            case 0: text = crlf(text); break;
            case 1:
                if (!text.empty() && text.back() == '\n')
                    text.pop_back();
                break;
            case 2: text = insert_line(text, "#" + bytes(below(80), "\n")); break;
            case 3: text = insert_line(text, pick({"", " ", "\t", " \t \r", "   # x", "\r"})); break;
            case 4: text = pad_a_line(text, chance(1, 8) ? kLongLine : 1 + below(8)); break;
            case 5: text = insert_line(text, "ipvsadm"); break;
            }
        }
        return text;
    }

    // One to three random changes of any kind.
    std::string mutate(std::string text) {
        const size_t n = 1 + below(3);
        for (size_t i = 0; i < n; ++i)
            text = mutate_once(std::move(text));
        return text;
    }

private:
    std::mt19937_64 rng_;

    size_t below(size_t n) { return n ? rng_() % n : 0; }
    bool chance(unsigned num, unsigned den) { return rng_() % den < num; }
    std::string num(size_t n) { return std::to_string(below(n)); }
    std::string pick(std::initializer_list<const char*> v) { return *(v.begin() + below(v.size())); }
    uint16_t pick_port() {
        static const uint16_t common[] = {80, 443, 53, 8080, 1, 65535};
        return chance(1, 2) ? common[below(6)] : static_cast<uint16_t>(1 + below(65535));
    }
    static std::string mask_of(size_t prefix) {
        const uint32_t m = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
        return std::to_string(m >> 24) + "." + std::to_string((m >> 16) & 255) + "." +
               std::to_string((m >> 8) & 255) + "." + std::to_string(m & 255);
    }
    // The command word first, then the option groups in any order.
    Words command(const std::string& cmd, std::vector<Words> groups) {
        std::shuffle(groups.begin(), groups.end(), rng_);
        Words w = {cmd};
        for (const Words& g : groups)
            w.insert(w.end(), g.begin(), g.end());
        return w;
    }
    std::string bytes(size_t n, std::string_view except = "") {
        std::string s;
        while (s.size() < n) {
            const char c = static_cast<char>(rng_());
            if (except.find(c) == std::string_view::npos)
                s += c;
        }
        return s;
    }
    char interesting_byte() {
        static const std::string chars(" \t\r\n#:-,.[]%0123456789abcdefgimprstuwxyz\0\x01\x7f\xff", 53);
        return chance(3, 4) ? chars[below(chars.size())] : static_cast<char>(rng_());
    }
    static std::string crlf(const std::string& text) {
        std::string out;
        for (char c : text)
            out += c == '\n' ? std::string("\r\n") : std::string(1, c);
        return out;
    }
    static std::string join_lines(const std::vector<std::string>& lines, bool final_newline) {
        std::string out;
        for (size_t i = 0; i < lines.size(); ++i)
            out += lines[i] + (i + 1 < lines.size() || final_newline ? "\n" : "");
        return out;
    }
    static bool ends_line(const std::string& text) { return text.empty() || text.back() == '\n'; }
    std::string insert_line(const std::string& text, const std::string& line) {
        auto lines = lines_of(text);
        lines.insert(lines.begin() + static_cast<long>(below(lines.size() + 1)), line);
        return join_lines(lines, ends_line(text));
    }
    std::string pad_a_line(const std::string& text, size_t pad) {
        auto lines = lines_of(text);
        if (lines.empty())
            return text;
        std::string& l = lines[below(lines.size())];
        const std::string blanks(pad, chance(1, 2) ? ' ' : '\t');
        l = chance(1, 2) ? blanks + l : l + blanks;
        return join_lines(lines, ends_line(text));
    }
    std::string mutate_once(std::string text) {
        const size_t at = below(text.size() + 1);
        switch (below(16)) {
        case 0:  // delete bytes
            return text.erase(std::min(at, text.size()), 1 + below(4));
        case 1: {  // insert bytes
            std::string ins;
            for (size_t k = 1 + below(3); k; --k)
                ins += interesting_byte();
            return text.insert(at, ins);
        }
        case 2:  // replace a byte
            if (!text.empty())
                text[below(text.size())] = interesting_byte();
            return text;
        case 3:  // a NUL byte
            return text.insert(at, 1, '\0');
        case 4:
        case 5:
        case 6: {  // delete, double, replace or swap words of a line
            auto lines = lines_of(text);
            if (lines.empty())
                return text;
            std::string& line = lines[below(lines.size())];
            Words w = split_command_line(line);
            if (w.empty())
                return text;
            const size_t k = below(w.size());
            switch (below(5)) {
            case 0: w.erase(w.begin() + static_cast<long>(k)); break;
            case 1: w.insert(w.begin() + static_cast<long>(k), w[k]); break;
            case 2: w[k] = kHostile[below(kHostile.size())]; break;
            case 3: w.insert(w.begin() + static_cast<long>(k), kHostile[below(kHostile.size())]); break;
            case 4: std::swap(w[k], w[below(w.size())]); break;
            }
            line.clear();
            for (const auto& word : w)
                line += (line.empty() ? "" : " ") + word;
            return join_lines(lines, ends_line(text));
        }
        case 7:
        case 8: {  // drop, double or swap lines
            auto lines = lines_of(text);
            if (lines.empty())
                return text;
            const size_t k = below(lines.size());
            switch (below(3)) {
            case 0: lines.erase(lines.begin() + static_cast<long>(k)); break;
            case 1: lines.insert(lines.begin() + static_cast<long>(k), lines[k]); break;
            case 2: std::swap(lines[k], lines[below(lines.size())]); break;
            }
            return join_lines(lines, ends_line(text));
        }
        case 9:  // a line of random bytes
            return insert_line(text, bytes(below(200), "\n"));
        case 10:  // a line over 64 KiB
            switch (below(4)) {
            case 0: return insert_line(text, std::string(kLongLine, 'x'));
            case 1: return insert_line(text, bytes(kLongLine, "\n"));
            case 2: {
                std::string l = "-A -t 10.9.9.9:80 -s";
                while (l.size() < kLongLine)
                    l += " rr";
                return insert_line(text, l);
            }
            default: return insert_line(text, "-A -t 10.9.9.9:80 -s " + std::string(kLongLine, 'r'));
            }
        case 11: {  // a command lvs-xdp's -R does not take, or a bare one
            static const std::vector<std::string> lines = {
                "-L -n", "-S", "-R", "-h", "-v", "--set 1 2 3", "-Z", "-A", "-a", "-D", "-E", "-e", "-d",
                "-C", "-A -t 10.0.0.1:80 -s rr -x 5", "-A -t [2001:db8::1]:80", "-A -f 1", "--start-daemon master",
                "-a -t 10.0.0.1:80 -r 224.0.0.1:80", "-A -t 10.0.0.1:0 -s rr", "ipvsadm -",
                "-A -t 10.0.0.1:80 -s rr -M 255.0.255.0 -p"};
            return insert_line(text, lines[below(lines.size())]);
        }
        default:  // the harmless ones, and their combinations with the rest
            return harmless(std::move(text));
        }
    }
};

// The checks, and what they found: each problem names its property.
struct Checker {
    RestoreFn restore = [](Config& c, std::istream& in) { restore_into(c, in); };
    SaveFn save = [](const Config& c) { return format_save(c, true); };
    std::map<std::string, int> found;  // property -> count
    std::vector<std::string> examples;
    int accepted = 0, rejected = 0;

    void problem(const std::string& property, const std::string& what, const std::string& text) {
        if (found[property]++ < 3)
            examples.push_back("(" + property + ") " + what + "\n    text: " + printable(text));
    }

    // Restores text into cfg, checking (a) and (b); the message of a
    // rejection, nullopt when the text was taken.
    std::optional<std::string> run(Config& cfg, const std::string& text) {
        const std::string before = snapshot(cfg);
        std::istringstream in(text);
        try {
            restore(cfg, in);
            ++accepted;
            check_taken(text);
            return std::nullopt;
        } catch (const UserError& e) {
            ++rejected;
            if (snapshot(cfg) != before)
                problem("b-unchanged", "a rejected text changed the configuration: " + std::string(e.what()), text);
            check_message(e, text);
            return std::string(e.what());
        } catch (const std::exception& e) {
            problem("a", std::string("threw ") + typeid(e).name() + ": " + printable(e.what()), text);
        } catch (...) {
            problem("a", "threw a non-exception", text);
        }
        return "(not a UserError)";
    }

    // (a) too: a taken text holds no NUL byte outside comments, which would
    // cut a word short where the parser reads it as a C string.
    void check_taken(const std::string& text) {
        for (const std::string& line : lines_of(text))
            if (!split_command_line(line).empty() && line.find('\0') != std::string::npos)
                problem("a-nul", "a command line with a NUL byte was taken", text);
    }

    void check_message(const UserError& e, const std::string& text) {
        const std::string msg = e.what();
        const int status = e.exit_code();
        if (status != kExitFailure && status != kExitUsage && status != kExitKernel)
            problem("a", "exit status " + std::to_string(status), text);
        const auto lines = lines_of(text);
        size_t digits = 0;
        while (5 + digits < msg.size() && std::isdigit(static_cast<unsigned char>(msg[5 + digits])))
            ++digits;
        const bool shaped = msg.starts_with("line ") && digits > 0 && digits < 10 &&
                            msg.compare(5 + digits, 2, ": ") == 0 && msg.size() > 7 + digits;
        if (!shaped || msg.find_first_of("\r\n") != std::string::npos) {
            problem("b-message", "message not one line \"line N: reason\": " + printable(msg), text);
            return;
        }
        const size_t n = std::stoul(msg.substr(5, digits));
        if (n < 1 || n > lines.size() || split_command_line(lines[n - 1]).empty())
            problem("b-message", "message names no command line of the text: " + printable(msg), text);
    }

    // (c): the text of valid (or a harmless variation of it) is taken, into
    // cfg, and gives what its commands give applied one by one to a fresh
    // Config; its save restores to the same.
    void valid(Config& cfg, const ValidText& v, const std::string& text) {
        Config expected;
        try {
            expected = test::config_of(v.commands);
        } catch (const UserError& e) {
            problem("generator", std::string("made an invalid command: ") + e.what(), text);
            return;
        }
        if (auto msg = run(cfg, text)) {
            problem("c-accepted", "a valid text was rejected: " + printable(*msg), text);
            return;
        }
        if (snapshot(cfg) != snapshot(expected))
            problem("c-same", "restored\n" + snapshot(cfg) + "  expected\n" + snapshot(expected), text);
        const std::string saved = save(cfg);
        Config again;
        std::istringstream in(saved);
        try {
            restore(again, in);
        } catch (const UserError& e) {
            problem("c-roundtrip", "its save does not restore: " + std::string(e.what()) + "\n    saved: " +
                                       printable(saved), text);
            return;
        }
        if (canonical(again) != canonical(cfg))
            problem("c-roundtrip", "save and restore changed it: " + printable(saved), text);
    }
};

// Runs `texts` valid texts, a harmless variation and kMutantsPerText mutations
// of each through checker. Rejected mutations start from an empty
// configuration or from the last valid one.
void campaign(Checker& checker, uint64_t seed, int texts) {
    TextFuzzer fuzz(seed);
    Config last;
    for (int i = 0; i < texts; ++i) {
        const ValidText v = fuzz.valid();
        Config cfg = i % 2 ? last : Config{};  // -A lines may clash with it; -C clears it
        if (i % 2 == 0 || v.commands.front() == Words{"-C"}) {
            checker.valid(cfg, v, v.text);
            Config cfg2 = i % 2 ? last : Config{};
            checker.valid(cfg2, v, fuzz.harmless(v.text));
            if (!checker.found.count("c-accepted"))
                last = cfg;
        }
        for (int k = 0; k < kMutantsPerText; ++k) {
            Config m = k % 2 ? last : Config{};
            checker.run(m, fuzz.mutate(v.text));
        }
    }
}

std::string report(const Checker& c) {
    std::string s = "accepted " + std::to_string(c.accepted) + ", rejected " + std::to_string(c.rejected) + "\n";
    for (const auto& [p, n] : c.found)
        s += "  " + p + ": " + std::to_string(n) + "\n";
    for (const auto& e : c.examples)
        s += e + "\n";
    return s;
}

// A reference restore with knobs, each a way to get -R wrong.
struct Broken {
    bool in_place = false;      // applies each line as it goes (ipvsadm's -R)
    bool zero_based = false;    // numbers lines from 0
    bool bare_message = false;  // leaves out "line N: "
    bool two_lines = false;     // adds a second line to the message
    bool std_error = false;     // throws std::runtime_error
    bool only_full_lines = false;  // drops a last line without its newline

    void operator()(Config& cfg, std::istream& in) const {
        Config next = cfg;
        Config& target = in_place ? cfg : next;
        std::string line;
        for (int number = zero_based ? 0 : 1; std::getline(in, line); ++number) {
            if (only_full_lines && in.eof())
                break;
            const auto words = split_command_line(line);
            if (words.empty())
                continue;
            try {
                apply_command(target, parse_ipvsadm(words));
            } catch (const UserError& e) {
                std::string msg = bare_message ? e.what() : "line " + std::to_string(number) + ": " + e.what();
                if (two_lines)
                    msg += "\n  (in " + line + ")";
                if (std_error)
                    throw std::runtime_error(msg);
                throw UserError(msg, e.exit_code());
            }
        }
        if (!in_place)
            cfg = next;
    }
};

int found_with(const RestoreFn& restore, const SaveFn& save, const std::string& property) {
    Checker c;
    if (restore)
        c.restore = restore;
    if (save)
        c.save = save;
    campaign(c, kDefaultSeed, 120);
    if (property.empty())  // all of them
        return static_cast<int>(c.found.size());
    return c.found.count(property) ? c.found.at(property) : 0;
}

}  // namespace

TEST(RestoreFuzz, TextsFailOnlyWithOneNumberedLineAndValidOnesRoundTrip) {
    const uint64_t seed = fuzz_seed(kDefaultSeed);
    SCOPED_TRACE("LVS_FUZZ_SEED=" + std::to_string(seed));
    Checker c;
    campaign(c, seed, kValidTexts);
    EXPECT_TRUE(c.found.empty()) << report(c);
    // Both outcomes must have been exercised for the run to mean anything.
    const int texts = kValidTexts * (kMutantsPerText + 1);
    EXPECT_GT(c.accepted, texts / 5) << report(c);
    EXPECT_GT(c.rejected, texts / 3) << report(c);
    RecordProperty("accepted", c.accepted);
    RecordProperty("rejected", c.rejected);
}

// The checks above catch each way of getting it wrong.
TEST(RestoreFuzz, MutantsAreCaught) {
    EXPECT_GT(found_with(Broken{.in_place = true}, nullptr, "b-unchanged"), 0);
    EXPECT_GT(found_with(Broken{.zero_based = true}, nullptr, "b-message"), 0);
    EXPECT_GT(found_with(Broken{.bare_message = true}, nullptr, "b-message"), 0);
    EXPECT_GT(found_with(Broken{.two_lines = true}, nullptr, "b-message"), 0);
    EXPECT_GT(found_with(Broken{.std_error = true}, nullptr, "a"), 0);
    EXPECT_GT(found_with(Broken{.only_full_lines = true}, nullptr, "c-same"), 0);
    // A saver that forgets --fullnat, or the persistence netmask.
    const auto drop = [](std::string what, bool with_value) {
        return [what, with_value](const Config& c) {
            std::string s = format_save(c, true);
            for (size_t at; (at = s.find(what)) != std::string::npos;) {
                const size_t end = with_value ? s.find_first_of(" \n", at + what.size() + 1) : at + what.size();
                s.erase(at, end - at);
            }
            return s;
        };
    };
    EXPECT_GT(found_with(nullptr, drop(" --fullnat", false), "c-roundtrip"), 0);
    EXPECT_GT(found_with(nullptr, drop(" -M", true), "c-roundtrip"), 0);
    // The restore before the NUL fix (below), and the real one, which passes
    // the same short campaign.
    EXPECT_GT(found_with(Broken{}, nullptr, "a-nul"), 0);
    EXPECT_EQ(found_with(nullptr, nullptr, ""), 0);
}

// Found by the fuzz above: the parser reads addresses and numbers as C
// strings, so a NUL byte cut a word short and the rest was ignored; -R took
// "-w 5\0junk" as weight 5 and "10.0.0.1\0junk:80" as 10.0.0.1:80.
TEST(RestoreFuzz, RegressionNulByteInACommandLineIsRefused) {
    using namespace std::string_literals;
    const std::pair<std::string, std::string> cases[] = {
        {"-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 5\0junk\n"s, "line 2: "},
        {"-A -t 10.0.0.1\0junk:80 -s rr\n"s, "line 1: "},
        {"-A -t 10.0.0.1:80 -s rr -p 30\0junk\n"s, "line 1: "},
        {"# saved\n-A -u 10.2.2.44:53 -s rr\n-a -u 10.2.2.44:53 -r 192.168.0.135:53 -i --weight 3\x00" "34\n"s,
         "line 3: "},
    };
    for (const auto& [text, prefix] : cases) {
        Config cfg = test::config_of({{"-A", "-t", "10.9.9.9:80", "-s", "wrr"}});
        const std::string before = snapshot(cfg);
        std::istringstream in(text);
        try {
            restore_into(cfg, in);
            ADD_FAILURE() << "taken: " << printable(text);
        } catch (const UserError& e) {
            EXPECT_EQ(std::string(e.what()), prefix + "a NUL byte in a command line; -R reads text");
            EXPECT_EQ(e.exit_code(), kExitUsage);
        }
        EXPECT_EQ(snapshot(cfg), before) << printable(text);
    }
    // A comment is not read, NULs and all.
    Config cfg;
    std::istringstream in("# a\0b\n-A -t 10.0.0.1:80 -s rr\n"s);
    restore_into(cfg, in);
    EXPECT_EQ(cfg.services().size(), 1u);
}
