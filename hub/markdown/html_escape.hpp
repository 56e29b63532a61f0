// HTML escaping for text placed in element content or a quoted attribute.
#pragma once

#include <string>
#include <string_view>

namespace hub::markdown {

// Escapes & < > " and '.
std::string escape_html(std::string_view text);

}  // namespace hub::markdown
