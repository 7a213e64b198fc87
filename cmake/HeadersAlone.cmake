# Every installed bimt/*.h compiles alone, as C11 and as C++11, with -Wall -Wextra -Werror:
# one translation unit per header and language, each including only that header.
# Run by the CTest test headers_alone:
#   cmake -DSRC=<repo> -DBIN=<build dir> -DCC=<C compiler> -DCXX=<C++ compiler or empty>
#         -DOUT=<scratch folder> -P cmake/HeadersAlone.cmake
file(GLOB headers RELATIVE ${SRC}/include ${SRC}/include/bimt/*.h)
list(APPEND headers bimt/version.h) # generated into the build tree
list(REMOVE_DUPLICATES headers)
file(MAKE_DIRECTORY ${OUT})
set(failed "")
set(n 0)
foreach(h IN LISTS headers)
  get_filename_component(stem ${h} NAME_WE)
  set(langs "c;${CC};-std=c11")
  if(CXX)
    list(APPEND langs "cpp;${CXX};-std=c++11")
  endif()
  list(LENGTH langs nl)
  math(EXPR last "${nl} - 1")
  foreach(i RANGE 0 ${last} 3)
    math(EXPR j "${i} + 1")
    math(EXPR k "${i} + 2")
    list(GET langs ${i} ext)
    list(GET langs ${j} compiler)
    list(GET langs ${k} std)
    set(tu ${OUT}/alone_${stem}.${ext})
    file(WRITE ${tu} "#include \"${h}\"\n#include \"${h}\" /* include guard */\n"
                     "int bimt_headers_alone_${stem}(void);\n"
                     "int bimt_headers_alone_${stem}(void) { return 0; }\n")
    execute_process(
      COMMAND ${compiler} ${std} -Wall -Wextra -Wpedantic -Werror -fsyntax-only
              -I${SRC}/include -I${BIN}/include ${tu}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    math(EXPR n "${n} + 1")
    if(NOT rc EQUAL 0)
      list(APPEND failed "${h} (${std})")
      message("${h} does not compile alone with ${std}:\n${out}")
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "headers that do not compile alone: ${failed}")
endif()
message("headers_alone: ${n} translation units compiled (every bimt/*.h, C11 and C++11)")
