// "Did you mean": the closest known word to a misspelt one, shared by the config parser
// (keys and enum names) and the command line (commands, flags, flag values).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mnisttrain::text {

// Levenshtein distance: insertions, deletions and substitutions each cost one.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The closest of `known` to `word`, or "" when none is close: one edit for words of up to
// three letters (so unrelated short words are not paired up), otherwise two (a swap of
// neighbours, as in "tpye", costs two) or a third of the word, if more.
std::string closest_word(const std::string& word, const std::vector<std::string>& known);

}  // namespace mnisttrain::text
