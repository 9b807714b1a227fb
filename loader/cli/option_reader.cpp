#include "cli/option_reader.h"

#include <algorithm>
#include <utility>

namespace lvs {

const std::string& OptionReader::take_word() {
    last_ = next_++;
    return words_[last_];
}

void OptionReader::fail(std::string reason) const {
    throw OptionError{words_[last_], std::move(reason)};
}

std::optional<FoundOption> OptionReader::next() {
    if (!cluster_.empty())
        return from_cluster();
    while (next_ < words_.size()) {
        const std::string& word = take_word();
        if (options_ended_ || word.size() < 2 || word[0] != '-') {
            leftovers_.push_back(word);
            continue;
        }
        if (word == "--") {
            options_ended_ = true;
            continue;
        }
        if (word[1] != '-') {
            cluster_ = word.substr(1);
            return from_cluster();
        }
        const std::string_view body = std::string_view(word).substr(2);
        const auto eq = body.find('=');
        const std::string_view name = body.substr(0, eq);
        auto spec = std::find_if(specs_.begin(), specs_.end(),
                                 [&](const OptionSpec& s) { return s.long_name == name; });
        if (spec == specs_.end())
            fail("unknown option");
        if (eq == std::string_view::npos)
            return with_arg(*spec, std::nullopt);
        if (spec->arg == ArgKind::None)
            fail("option does not take an argument");
        return with_arg(*spec, std::string(body.substr(eq + 1)));
    }
    return std::nullopt;
}

std::optional<FoundOption> OptionReader::from_cluster() {
    const char letter = cluster_[0];
    cluster_.erase(0, 1);
    auto spec = std::find_if(specs_.begin(), specs_.end(),
                             [&](const OptionSpec& s) { return s.short_name == letter; });
    if (spec == specs_.end())
        fail("unknown option");
    // An option that takes an argument takes the rest of its word, if any.
    if (spec->arg == ArgKind::None || cluster_.empty())
        return with_arg(*spec, std::nullopt);
    return with_arg(*spec, std::exchange(cluster_, {}));
}

FoundOption OptionReader::with_arg(const OptionSpec& spec, std::optional<std::string> inline_arg) {
    if (spec.arg == ArgKind::None || inline_arg)
        return {&spec, std::move(inline_arg)};
    if (next_ == words_.size()) {
        if (spec.arg == ArgKind::Required)
            fail("missing argument");
        return {&spec, std::nullopt};
    }
    // A required argument is the next word whatever it looks like; an optional
    // one only when that word is not an option.
    if (spec.arg == ArgKind::Optional && words_[next_].starts_with('-'))
        return {&spec, std::nullopt};
    return {&spec, take_word()};
}

}  // namespace lvs
