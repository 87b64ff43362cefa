find_program(DIBR_CCACHE ccache)
if(DIBR_CCACHE)
  # Precompiled headers need these sloppiness flags to be cacheable at all; BASEDIR makes absolute
  # paths relative so that a fresh clone elsewhere (CI) hits the cache of an earlier build.
  set(_dibr_launcher ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
      ${DIBR_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${_dibr_launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_dibr_launcher})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${_dibr_launcher})
endif()
