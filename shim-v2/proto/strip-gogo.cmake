# Copies one of containerd's .proto files into the build tree without the
# gogoproto / fieldpath options: protoc's C++ generator aborts on `import
# weak`, and the options only steer Go code generation.
# Usage: cmake -DIN=src.proto -DOUT=dst.proto -P strip-gogo.cmake
file(READ "${IN}" text)
string(REGEX REPLACE "import weak \"[^\"]*\";" "" text "${text}")
string(REGEX REPLACE "import \"gogoproto/gogo.proto\";" "" text "${text}")
string(REGEX REPLACE "option \\((gogoproto|containerd\\.plugin)\\.[a-z_]+\\) = [^;]*;" "" text "${text}")
string(REGEX REPLACE " *\\[\\(gogoproto\\.[^]]*\\]" "" text "${text}")
file(WRITE "${OUT}" "${text}")
