# Warning flags every target of libbimt compiles with (bimt_warnings interface target).
add_library(bimt_warnings INTERFACE)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(bimt_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes
    -Wdouble-promotion -Wmissing-prototypes)
  if(BIMT_WERROR)
    target_compile_options(bimt_warnings INTERFACE -Werror)
  endif()
endif()
