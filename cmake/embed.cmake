# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P embed.cmake
# Writes a C++ source defining `std::string_view hub::SYMBOL()` returning the file's bytes.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace hub {\n"
  "static const char kData[] = {${bytes} 0};\n"
  "std::string_view ${SYMBOL}() { return {kData, sizeof kData - 1}; }\n}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
