# Extra targets of the npz / trainer / checkpoint work (included by tests/CMakeLists.txt,
# which registers their tests).

# numpy interoperability: a small C tool writes/reads archives; the npz_numpy test (a Python
# script) checks them with numpy.
add_executable(npz_tool ${CMAKE_CURRENT_SOURCE_DIR}/tools/npz_tool.c)
target_include_directories(npz_tool PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_link_libraries(npz_tool PRIVATE bimt_internal bimt_warnings m)

# libFuzzer target of the checkpoint loader (clang only): -DBIMT_FUZZ=ON.
option(BIMT_FUZZ "Build the libFuzzer target fuzz_checkpoint (needs clang)" OFF)
if(BIMT_FUZZ AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_checkpoint.c)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BIMT_FUZZ=ON needs clang (CMAKE_C_COMPILER=clang)")
  endif()
  # Coverage instrumentation and sanitizers for the library objects; every program linking
  # them (tests included) then needs the sanitizer runtimes.
  set(BIMT_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  target_compile_options(bimt_objects PRIVATE ${BIMT_FUZZ_FLAGS})
  # The loader skips CRC checks in this build only, so the fuzzer reaches the parsers behind.
  target_compile_definitions(bimt_objects PRIVATE FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION=1)
  target_link_options(bimt_internal INTERFACE -fsanitize=address,undefined)
  target_link_options(bimt PRIVATE -fsanitize=address,undefined)
  add_executable(fuzz_checkpoint ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_checkpoint.c)
  target_include_directories(fuzz_checkpoint PRIVATE ${PROJECT_SOURCE_DIR}/lib)
  target_compile_options(fuzz_checkpoint PRIVATE -fsanitize=fuzzer,address,undefined -g)
  target_link_options(fuzz_checkpoint PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_checkpoint PRIVATE bimt_internal m)
endif()
