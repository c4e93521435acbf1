# Every dependency comes from a Debian package; a missing one stops the configure step
# with the name of the package to install.
function(surgesim_require found package)
  if(NOT ${found})
    message(FATAL_ERROR "surgesim: missing dependency; install it with: apt-get install ${package}")
  endif()
endfunction()

find_package(yaml-cpp QUIET)
surgesim_require(yaml-cpp_FOUND libyaml-cpp-dev)
find_package(Boost 1.74 QUIET COMPONENTS graph)
surgesim_require(Boost_FOUND "libboost-graph-dev libboost-math-dev")
if(NOT EXISTS "${Boost_INCLUDE_DIRS}/boost/math/distributions/students_t.hpp")
  message(FATAL_ERROR "surgesim: missing dependency; install it with: apt-get install libboost-math-dev")
endif()
find_package(Eigen3 3.4 QUIET NO_MODULE)
surgesim_require(Eigen3_FOUND libeigen3-dev)
find_package(Threads REQUIRED)
find_package(HDF5 QUIET COMPONENTS C)
surgesim_require(HDF5_FOUND libhdf5-dev)
# HDF5 for the programs: the static archive, which libhdf5-dev ships beside the shared
# library. The shared one loads libcurl and some 30 libraries behind it (TLS, Kerberos,
# LDAP) for a remote-file driver surgesim never uses, and loading them took 6 of the
# 8 ms of CPU every `surgesim` command spent starting (`surgesim --version`: 8.1 ms,
# 2.3 ms from the archive); from the archive, only the objects surgesim calls are
# linked, none of which needs curl. The Python module cannot take the
# archive (its objects are not position-independent) and links the shared library: a
# target that sets the property SURGESIM_SHARED_HDF5 gets it (see surgesim_hdf5 below).
set(surgesim_hdf5_dirs)
foreach(library IN LISTS HDF5_C_LIBRARIES)
  get_filename_component(directory "${library}" DIRECTORY)
  list(APPEND surgesim_hdf5_dirs "${directory}")
endforeach()
find_library(SURGESIM_HDF5_ARCHIVE NAMES libhdf5.a libhdf5_serial.a PATHS ${surgesim_hdf5_dirs}
             NO_DEFAULT_PATH)
find_package(ZLIB QUIET)
find_library(SURGESIM_SZ_LIBRARY NAMES sz)
add_library(surgesim_hdf5 INTERFACE)
if(SURGESIM_HDF5_ARCHIVE AND ZLIB_FOUND AND SURGESIM_SZ_LIBRARY)
  target_include_directories(surgesim_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
  target_compile_definitions(surgesim_hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
  # NOTE: $<TARGET_PROPERTY:name> in a link interface reads the target being linked,
  # so each program or module chooses for itself.
  target_link_libraries(surgesim_hdf5 INTERFACE
    "$<IF:$<BOOL:$<TARGET_PROPERTY:SURGESIM_SHARED_HDF5>>,hdf5::hdf5,${SURGESIM_HDF5_ARCHIVE};ZLIB::ZLIB;${SURGESIM_SZ_LIBRARY};${CMAKE_DL_LIBS};m;Threads::Threads>")
else()
  target_link_libraries(surgesim_hdf5 INTERFACE hdf5::hdf5)
endif()
find_package(fmt QUIET)
surgesim_require(fmt_FOUND libfmt-dev)
find_package(CLI11 QUIET)
surgesim_require(CLI11_FOUND libcli11-dev)
find_package(nlohmann_json 3 QUIET)
surgesim_require(nlohmann_json_FOUND nlohmann-json3-dev)
if(SURGESIM_TESTS)
  find_package(doctest QUIET)
  surgesim_require(doctest_FOUND doctest-dev)
endif()
if(SURGESIM_PYTHON)
  # Pass -DPython3_EXECUTABLE=... : the python3 first on PATH may lack numpy.
  find_package(Python3 QUIET COMPONENTS Interpreter Development.Module)
  surgesim_require(Python3_FOUND python3-dev)
  find_package(pybind11 QUIET CONFIG)
  surgesim_require(pybind11_FOUND pybind11-dev)
endif()
