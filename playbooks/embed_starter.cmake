# cmake -DDIR=playbooks/starter -DOUTPUT=file.cpp [-DFUNCTION=name -DHEADER=path] -P embed_starter.cmake
# Embeds every DIR/*.md, in name order, as hub::playbooks::starter_files() (or FUNCTION, declared
# in HEADER, for the starter templates).
if(NOT DEFINED FUNCTION)
  set(FUNCTION starter_files)
endif()
if(NOT DEFINED HEADER)
  set(HEADER playbooks/starter.hpp)
endif()
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
  "// Generated from ${DIR}/*.md; do not edit.\n#include \"${HEADER}\"\n"
  "namespace hub::playbooks {\n${arrays}"
  "std::vector<StarterFile> ${FUNCTION}() { return {\n${entries}}; }\n}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
