#!/bin/sh
# Installs a built libbimt into a temporary prefix with `cmake --install`, then builds and
# runs two consumers against that prefix only:
#   1. the external C++ project of this folder, through find_package(bimt) / bimt::bimt;
#   2. pkgconfig_demo.c, compiled with `cc ... $(pkg-config --cflags --libs bimt)`.
# Registered as the CTest test install_consumers (tests/CMakeLists.txt).
#
# Usage: install_test.sh BUILD_DIR WORK_DIR [CMAKE] [CC] [SANITIZED(0|1)]
set -eu

build_dir=$1
work=$2
cmake=${3:-cmake}
cc=${4:-cc}
sanitized=${5:-0}
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" >"$work/install.log"
test -f "$prefix/include/bimt/bimt.h"
test -f "$prefix/include/bimt/version.h"

flags=""
if [ "$sanitized" = 1 ]; then
    # A sanitized libbimt needs its consumers built with the same runtime first in line.
    flags="-fsanitize=address,undefined"
fi

echo "== find_package(bimt): external C++ project"
"$cmake" -S "$here" -B "$work/cxx-build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$work/cxx-configure.log"
"$cmake" --build "$work/cxx-build" >"$work/cxx-build.log"
(cd "$work" && ASAN_OPTIONS=detect_leaks=1 "$work/cxx-build/brain_info" 12 "$work/cxx.npz")
test -s "$work/cxx.npz"
echo "== find_package(bimt): external C program"
(cd "$work" && ASAN_OPTIONS=detect_leaks=1 "$work/cxx-build/pkgconfig_demo_cmake")

echo "== pkg-config: C program"
pc=$(find "$prefix" -name bimt.pc | head -n 1)
test -n "$pc"
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH="$(dirname "$pc")"
version=$(pkg-config --modversion bimt)
incdir=$(pkg-config --variable=includedir bimt)
echo "bimt.pc: version $version, includedir $incdir"
if [ ! -f "$incdir/bimt/bimt.h" ]; then
    echo "install_test: $pc points at includedir $incdir, not into the prefix $prefix it" \
         "was installed to with 'cmake --install --prefix': bimt.pc is not relocatable" \
         "(derive prefix from \${pcfiledir} in cmake/bimt.pc.in)" >&2
    exit 1
fi
# shellcheck disable=SC2046  # word splitting of the pkg-config output is intended
"$cc" -std=c11 -Wall -Wextra -Werror $flags -o "$work/pkgconfig_demo" \
    "$here/pkgconfig_demo.c" $(pkg-config --cflags --libs bimt)
out=$(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$work/pkgconfig_demo")
echo "$out"
case "$out" in
    "libbimt $version:"*) ;;
    *) echo "install_test: pkg-config version $version does not match the program" >&2
       exit 1 ;;
esac
echo "install_test: both consumers built and ran against $prefix"
