// Reads option words the way popt (ipvsadm's option library) does, so that the
// same command lines mean the same thing: grouped short options (-Ln, -At addr),
// --long and --long=value, an optional argument that is taken only when the next
// word does not start with '-' (-p [timeout]), "--" ending the options, and
// non-option words collected as leftovers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lvs {

enum class ArgKind { None, Required, Optional };

struct OptionSpec {
    std::string_view long_name;
    char short_name;  // '\0' when there is none
    ArgKind arg;
    int key;          // what the caller switches on
};

struct FoundOption {
    const OptionSpec* spec;
    std::optional<std::string> arg;
};

// A word popt can't read; `word` is the argv word popt names in its message.
struct OptionError {
    std::string word;
    std::string reason;  // popt's text: "unknown option", "missing argument", ...
};

class OptionReader {
public:
    OptionReader(const std::vector<OptionSpec>& specs, const std::vector<std::string>& words)
        : specs_(specs), words_(words) {}

    // The next option, or nullopt when the words are used up. Throws OptionError.
    std::optional<FoundOption> next();
    // Non-option words, in order, once next() has returned nullopt.
    const std::vector<std::string>& leftovers() const { return leftovers_; }
    // The last word read: what ipvsadm quotes in "invalid option `...'".
    const std::string& last_word() const { return words_[last_]; }

private:
    std::optional<FoundOption> from_cluster();
    FoundOption with_arg(const OptionSpec& spec, std::optional<std::string> inline_arg);
    const std::string& take_word();
    [[noreturn]] void fail(std::string reason) const;

    const std::vector<OptionSpec>& specs_;
    const std::vector<std::string>& words_;
    size_t next_ = 0;
    size_t last_ = 0;
    std::string cluster_;  // short option letters still to read from the current word
    bool options_ended_ = false;
    std::vector<std::string> leftovers_;
};

}  // namespace lvs
