# bimt_sweep (included by examples/CMakeLists.txt): the sweep program, built beside
# grow_brain (it runs grow_brain from its own folder) and installed with it into bin/. With
# Open MPI (or any MPI) found, `mpirun -np K bimt_sweep ...` schedules over K ranks; without
# it the program has the local backend only.
find_package(MPI COMPONENTS C QUIET)
set(_sweep_dir ${CMAKE_CURRENT_SOURCE_DIR}/sweep)
add_executable(bimt_sweep ${_sweep_dir}/bimt_sweep.c ${_sweep_dir}/spec.c ${_sweep_dir}/runner.c
               ${_sweep_dir}/mpi_backend.c)
target_link_libraries(bimt_sweep PRIVATE bimt::bimt bimt_warnings m)
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

# End-to-end tests (tests/tools/check_sweep.py): the tiny spec of issue 16 with --jobs 2
# (fixture: its metrics are the reference), after SIGKILL + restart, under a real mpirun
# with 3 ranks, and the command line (bad specs, --count/--list/--index, lock, failures).
if(BIMT_BUILD_TESTS AND BIMT_PYTHON3)
  set(_sw_work ${CMAKE_CURRENT_BINARY_DIR}/sweep_tests)
  set(_sw_check ${PROJECT_SOURCE_DIR}/tests/tools/check_sweep.py)
  add_test(NAME sweep_local COMMAND ${BIMT_PYTHON3} ${_sw_check} local
           $<TARGET_FILE:bimt_sweep> ${_sw_work})
  set_tests_properties(sweep_local PROPERTIES TIMEOUT 1800 FIXTURES_SETUP bimt_sweep_ref
                       RESOURCE_LOCK bimt_sweep_cores)
  add_test(NAME sweep_resume COMMAND ${BIMT_PYTHON3} ${_sw_check} resume
           $<TARGET_FILE:bimt_sweep> ${_sw_work})
  set_tests_properties(sweep_resume PROPERTIES TIMEOUT 1800 FIXTURES_REQUIRED bimt_sweep_ref
                       RESOURCE_LOCK bimt_sweep_cores)
  add_test(NAME sweep_cli COMMAND ${BIMT_PYTHON3} ${_sw_check} cli
           $<TARGET_FILE:bimt_sweep> ${_sw_work})
  set_tests_properties(sweep_cli PROPERTIES TIMEOUT 900)
  find_program(BIMT_MPIRUN NAMES mpirun mpiexec)
  if(MPI_C_FOUND AND BIMT_MPIRUN)
    add_test(NAME sweep_mpi COMMAND ${BIMT_PYTHON3} ${_sw_check} mpi
             $<TARGET_FILE:bimt_sweep> ${_sw_work} ${BIMT_MPIRUN})
    set_tests_properties(sweep_mpi PROPERTIES TIMEOUT 1800 FIXTURES_REQUIRED bimt_sweep_ref
                         RESOURCE_LOCK bimt_sweep_cores)
  else()
    message(STATUS "bimt_sweep: MPI or mpirun missing, the sweep_mpi test is not registered")
  endif()
  add_test(NAME grow_brain_check COMMAND sh -c "\"$0\" --check --grid 4 && ! \"$0\" --check --grid 1 2>/dev/null && test ! -e report"
           $<TARGET_FILE:grow_brain>)
  set_tests_properties(grow_brain_check PROPERTIES WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endif()
