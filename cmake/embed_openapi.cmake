# cmake -DDIR=docs/openapi -DOUTPUT=file.cpp -P embed_openapi.cmake
# Embeds every docs/openapi/*.json, in name order, as hub::openapi_fragments(); hub/app.cpp
# merges them into one document. Bytes are unsigned so that UTF-8 text needs no narrowing.
file(GLOB fragments "${DIR}/*.json")
list(SORT fragments)
set(arrays "")
set(views "")
set(i 0)
foreach(fragment IN LISTS fragments)
  file(READ "${fragment}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "static const unsigned char kFragment${i}[] = {${bytes} 0};\n")
  string(APPEND views "{reinterpret_cast<const char*>(kFragment${i}), sizeof kFragment${i} - 1},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from docs/openapi/*.json; do not edit.\n#include <string_view>\n#include <vector>\n"
  "namespace hub {\n${arrays}"
  "std::vector<std::string_view> openapi_fragments() { return {\n${views}}; }\n}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
