# cmake -DDIR=playbooks/starter -DOUTPUT=file.cpp -P embed_starter.cmake
# Embeds every starter/*.md, in name order, as hub::playbooks::starter_files().
file(GLOB files "${DIR}/*.md")
list(SORT files)
set(arrays "")
set(entries "")
set(i 0)
foreach(path IN LISTS files)
  get_filename_component(name "${path}" NAME)
  file(READ "${path}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "static const unsigned char kFile${i}[] = {${bytes} 0};\n")
  string(APPEND entries "{\"${name}\", {reinterpret_cast<const char*>(kFile${i}), sizeof kFile${i} - 1}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from playbooks/starter/*.md; do not edit.\n#include \"playbooks/starter.hpp\"\n"
  "namespace hub::playbooks {\n${arrays}"
  "std::vector<StarterFile> starter_files() { return {\n${entries}}; }\n}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
