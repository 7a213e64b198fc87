# Locates CBLAS (OpenBLAS preferred, reference CBLAS otherwise), LAPACKE and, for tests, Check.
# Defines the imported target bimt_deps::blas (CBLAS + LAPACKE) and sets BIMT_BLAS_PC, the
# pkg-config module names written into bimt.pc.
find_package(PkgConfig REQUIRED)
pkg_check_modules(BIMT_OPENBLAS IMPORTED_TARGET openblas)
pkg_check_modules(BIMT_LAPACKE REQUIRED IMPORTED_TARGET lapacke)
add_library(bimt_blas INTERFACE)
if(BIMT_OPENBLAS_FOUND)
  target_link_libraries(bimt_blas INTERFACE PkgConfig::BIMT_OPENBLAS PkgConfig::BIMT_LAPACKE)
  target_compile_definitions(bimt_blas INTERFACE BIMT_HAVE_OPENBLAS=1)
  set(BIMT_BLAS_PC "openblas lapacke")
else()
  # Reference BLAS: Debian ships the CBLAS symbols inside libblas (blas.pc).
  pkg_check_modules(BIMT_CBLAS REQUIRED IMPORTED_TARGET blas)
  target_link_libraries(bimt_blas INTERFACE PkgConfig::BIMT_CBLAS PkgConfig::BIMT_LAPACKE)
  set(BIMT_BLAS_PC "blas lapacke")
endif()
# The engine's per-model worker pool uses POSIX threads.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
target_link_libraries(bimt_blas INTERFACE Threads::Threads)
find_library(BIMT_LIBM m)
if(BIMT_LIBM)
  target_link_libraries(bimt_blas INTERFACE ${BIMT_LIBM})
endif()
