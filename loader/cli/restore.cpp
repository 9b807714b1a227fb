// Unlike ipvsadm -R, which keeps the lines before a failing one applied, a
// restore here is all or nothing: lines are applied to a copy, and the copy
// replaces the configuration only when every line succeeded.
#include "cli/restore.h"

#include <algorithm>
#include <utility>

#include "cli/command.h"
#include "error.h"

namespace lvs {

std::vector<std::string> split_command_line(std::string_view line) {
    constexpr std::string_view kBlanks = " \t\r\n";
    std::vector<std::string> words;
    size_t pos = line.find_first_not_of(kBlanks);
    if (pos != std::string_view::npos && line[pos] == '#')
        return words;
    while (pos != std::string_view::npos) {
        const size_t end = std::min(line.find_first_of(kBlanks, pos), line.size());
        const std::string_view word = line.substr(pos, end - pos);
        if (word != "ipvsadm" && word != "lvs-xdp")
            words.emplace_back(word);
        pos = line.find_first_not_of(kBlanks, end);
    }
    return words;
}

void restore_into(Config& cfg, std::istream& in) {
    Config next = cfg;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto words = split_command_line(line);
        if (words.empty())
            continue;
        // The parser reads words as C strings in places (addresses, numbers),
        // so a NUL would cut one short: "-w 5\0junk" would set weight 5.
        if (line.find('\0') != std::string::npos)
            throw UserError("line " + std::to_string(number) + ": a NUL byte in a command line; -R reads text",
                            kExitUsage);
        try {
            apply_command(next, parse_ipvsadm(words));
        } catch (const UserError& e) {
            throw UserError("line " + std::to_string(number) + ": " + e.what(), e.exit_code());
        }
    }
    std::swap(cfg, next);
}

}  // namespace lvs
