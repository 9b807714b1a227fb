// A small JSON writer for --json: values are written in order, as they are
// produced, into an indented document (two spaces a level), so listings need
// no document tree and lvs-xdp no JSON library.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lvs {

// s as a JSON string literal, quotes included: '"', '\' and control
// characters escaped, valid UTF-8 kept as it is, and each byte that is not
// valid UTF-8 replaced by U+FFFD, so the document is always valid JSON.
std::string json_quote(std::string_view s);

class JsonWriter {
public:
    // Containers; in an object, each value (container or not) follows key().
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    // Any unsigned width, so counters of each size need no cast (bool excluded).
    JsonWriter& value(std::unsigned_integral auto n) { return number(static_cast<uint64_t>(n)); }
    JsonWriter& value(bool b);
    JsonWriter& null();

    // The document, ending in a newline; every container must be closed.
    std::string finish();

private:
    JsonWriter& number(uint64_t n);
    void before_value();
    void new_line();  // indented by the depth
    void close(char bracket);

    std::string out_;
    std::vector<size_t> counts_;  // members written so far, one per open container
    bool after_key_ = false;
};

}  // namespace lvs
