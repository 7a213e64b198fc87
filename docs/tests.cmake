# CTest test `doxygen_complete`: the API reference has no Doxygen warning (every public
# declaration, parameter and return value documented; no broken markup in the guides).
#
# Registered by tests/CMakeLists.txt (when the `docs` target exists, i.e. doxygen was found),
# the test runs this file in script mode (cmake -P), which runs doxygen with the configured
# docs/Doxyfile into a fresh temporary folder of the build tree (so it never touches the
# `docs` target's output) and fails, printing the log, if the warnings log is not empty.

if(NOT CMAKE_SCRIPT_MODE_FILE)
  message(FATAL_ERROR "docs/tests.cmake runs in script mode (cmake -P); tests/CMakeLists.txt registers it")
endif()

# ---- script mode: the test itself
foreach(var DOXYGEN DOXYFILE WORK_PARENT)
  if(NOT ${var})
    message(FATAL_ERROR "doxygen_complete: -D${var}=... is required")
  endif()
endforeach()

string(RANDOM LENGTH 10 _suffix)
set(_work "${WORK_PARENT}/doxygen_complete.${_suffix}")
file(REMOVE_RECURSE "${_work}")
file(MAKE_DIRECTORY "${_work}")
set(_log "${_work}/doxygen-warnings.log")
# The configured Doxyfile, with the output and the warnings log redirected to the temp folder.
file(WRITE "${_work}/Doxyfile"
     "@INCLUDE = \"${DOXYFILE}\"\n"
     "OUTPUT_DIRECTORY = \"${_work}\"\n"
     "WARN_LOGFILE = \"${_log}\"\n"
     "QUIET = YES\n")
execute_process(COMMAND "${DOXYGEN}" "${_work}/Doxyfile"
                WORKING_DIRECTORY "${_work}"
                RESULT_VARIABLE _rc
                OUTPUT_VARIABLE _out
                ERROR_VARIABLE _err)
set(_warnings "")
if(EXISTS "${_log}")
  file(READ "${_log}" _warnings)
endif()
file(REMOVE_RECURSE "${_work}")

if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "doxygen_complete: doxygen failed (exit ${_rc}):\n${_out}${_err}\n${_warnings}")
endif()
string(STRIP "${_warnings}" _warnings)
if(NOT _warnings STREQUAL "")
  string(REGEX MATCHALL "warning:" _n "${_warnings}")
  list(LENGTH _n _n)
  message(FATAL_ERROR "doxygen_complete: ${_n} Doxygen warning(s); document every public "
                      "declaration (see docs/tests.cmake):\n${_warnings}")
endif()
message(STATUS "doxygen_complete: no Doxygen warnings")
