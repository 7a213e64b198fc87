# Extra targets of the npz / trainer / checkpoint work (included by tests/CMakeLists.txt,
# which registers their tests).

# numpy interoperability: a small C tool writes/reads archives; the npz_numpy test (a Python
# script) checks them with numpy.
add_executable(npz_tool ${CMAKE_CURRENT_SOURCE_DIR}/tools/npz_tool.c)
target_include_directories(npz_tool PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_link_libraries(npz_tool PRIVATE bimt_internal bimt_warnings m)

# Fuzz targets (tests/fuzz/): the checkpoint loader (and through it the .npz reader),
# grow_brain's config parser, bimt_sweep's spec parser and grow_brain's positions parser. Each is one
# LLVMFuzzerTestOneInput(); corpora in tests/fuzz/corpus/<name>/.
#  - every build: fuzz_replay_<name> runs the entry point once per committed corpus file
#    (replay.c, no libFuzzer), so the corpora are regression tests under the ASan build too;
#  - -DBIMT_FUZZ=ON (clang): the libFuzzer programs fuzz_<name>, with coverage and ASan+UBSan
#    in the library, and the CTest tests fuzz_<name>_short (a bounded run, .ci/test).
set(BIMT_FUZZ_TARGETS checkpoint config sweep_spec)
# grow_brain's --positions parser (positions.c, in grow_brain_config) once it exists.
if(EXISTS ${PROJECT_SOURCE_DIR}/examples/grow_brain/positions.c)
  list(APPEND BIMT_FUZZ_TARGETS positions)
endif()
option(BIMT_FUZZ "Build the libFuzzer targets fuzz_<name> (needs clang)" OFF)
if(BIMT_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BIMT_FUZZ=ON needs clang (CMAKE_C_COMPILER=clang)")
  endif()
  # Coverage instrumentation and sanitizers for the library objects and the parsers; every
  # program linking them (tests included) then needs the sanitizer runtimes.
  set(BIMT_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  target_compile_options(bimt_objects PRIVATE ${BIMT_FUZZ_FLAGS})
  # The loader skips CRC checks in this build only, so the fuzzer reaches the parsers behind.
  target_compile_definitions(bimt_objects PRIVATE FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION=1)
  target_link_options(bimt_internal INTERFACE -fsanitize=address,undefined)
  target_link_options(bimt PRIVATE -fsanitize=address,undefined)
  foreach(_lib grow_brain_config bimt_sweep_spec bimt_examples_common)
    if(TARGET ${_lib})
      target_compile_options(${_lib} PRIVATE ${BIMT_FUZZ_FLAGS})
    endif()
  endforeach()
endif()
foreach(_fz ${BIMT_FUZZ_TARGETS})
  # the library or program part each target links
  if(_fz STREQUAL "checkpoint")
    set(_fz_libs bimt_internal m)
  elseif(_fz STREQUAL "config" OR _fz STREQUAL "positions")
    set(_fz_libs grow_brain_config)
  else()
    set(_fz_libs bimt_sweep_spec)
  endif()
  list(GET _fz_libs 0 _fz_first)
  if(NOT TARGET ${_fz_first})
    continue()
  endif()
  set(_fz_src ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${_fz}.c)
  add_executable(fuzz_replay_${_fz} ${_fz_src} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay.c)
  target_include_directories(fuzz_replay_${_fz} PRIVATE ${PROJECT_SOURCE_DIR}/lib)
  target_link_libraries(fuzz_replay_${_fz} PRIVATE ${_fz_libs} bimt_warnings)
  if(BIMT_FUZZ)
    add_executable(fuzz_${_fz} ${_fz_src})
    target_include_directories(fuzz_${_fz} PRIVATE ${PROJECT_SOURCE_DIR}/lib)
    target_compile_options(fuzz_${_fz} PRIVATE -fsanitize=fuzzer,address,undefined -g)
    target_link_options(fuzz_${_fz} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_${_fz} PRIVATE ${_fz_libs})
    list(APPEND _fz_all fuzz_${_fz})
  endif()
endforeach()
if(BIMT_FUZZ)
  add_custom_target(bimt_fuzzers) # every libFuzzer program (.ci/test builds this)
  add_dependencies(bimt_fuzzers ${_fz_all})
endif()
