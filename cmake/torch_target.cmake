# dibr_torch_target(<target>): link LibTorch, add the precompiled header and our warnings.
function(dibr_torch_target tgt)
  target_link_libraries(${tgt} PUBLIC ${TORCH_LIBRARIES})
  # ATen's at::parallel_for is an inline `#pragma omp parallel` when LibTorch's backend is OpenMP (Debian's and
  # pip's are): without -fopenmp every parallel_for of ours would run on one thread.
  if(DIBR_OPENMP)
    target_link_libraries(${tgt} PUBLIC OpenMP::OpenMP_CXX)
  endif()
  target_compile_options(${tgt} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
  if(NOT DIBR_NO_PCH)
    target_precompile_headers(${tgt} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:<torch/torch.h$<ANGLE-R>>)
  endif()
endfunction()
