# bimt_sweep (included by examples/CMakeLists.txt): the sweep program, built beside
# grow_brain (it runs grow_brain from its own folder) and installed with it into bin/. With
# Open MPI (or any MPI) found, `mpirun -np K bimt_sweep ...` schedules over K ranks; without
# it the program has the local backend only.
find_package(MPI COMPONENTS C QUIET)
set(_sweep_dir ${CMAKE_CURRENT_SOURCE_DIR}/sweep)
# The spec reader and the run helpers are a library of their own, so that the fuzz target
# fuzz_sweep_spec links the parser without the program.
add_library(bimt_sweep_spec STATIC ${_sweep_dir}/spec.c ${_sweep_dir}/runner.c)
target_include_directories(bimt_sweep_spec PUBLIC ${_sweep_dir})
target_link_libraries(bimt_sweep_spec PUBLIC bimt::bimt bimt_examples_common
                      PRIVATE bimt_warnings m)
add_executable(bimt_sweep ${_sweep_dir}/bimt_sweep.c ${_sweep_dir}/mpi_backend.c)
target_link_libraries(bimt_sweep PRIVATE bimt_sweep_spec grow_brain_config bimt::bimt bimt_warnings
                      m)
if(MPI_C_FOUND)
  target_link_libraries(bimt_sweep PRIVATE MPI::MPI_C)
  target_compile_definitions(bimt_sweep PRIVATE BIMT_SWEEP_MPI=1)
  message(STATUS "bimt_sweep: MPI found (${MPI_C_LIBRARY_VERSION_STRING}), mpirun backend on")
else()
  message(STATUS "bimt_sweep: MPI not found, local backend only")
endif()
set(BIMT_SWEEP_MPI ${MPI_C_FOUND} CACHE INTERNAL "bimt_sweep has the MPI backend")
add_dependencies(bimt_sweep grow_brain)
# Installed programs find libbimt in ../lib of their prefix.
set_target_properties(grow_brain bimt_sweep PROPERTIES
  INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
install(TARGETS grow_brain bimt_sweep RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

