# Turns a text file into a C++ raw string constant: cmake -DIN=file -DOUT=file.inc -P embed.cmake
file(READ ${IN} content)
file(WRITE ${OUT} "#pragma once\ninline constexpr const char* kOpenApiDocument = R\"cityops_embed(${content})cityops_embed\";\n")
