# dibr_torch_target(<target>): link LibTorch, add the precompiled header and our warnings.
function(dibr_torch_target tgt)
  target_link_libraries(${tgt} PUBLIC ${TORCH_LIBRARIES})
  target_compile_options(${tgt} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
  if(NOT DIBR_NO_PCH)
    target_precompile_headers(${tgt} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:<torch/torch.h$<ANGLE-R>>)
  endif()
endfunction()
