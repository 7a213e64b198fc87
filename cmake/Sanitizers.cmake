# BIMT_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer for every target.
if(BIMT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
# BIMT_TSAN: ThreadSanitizer for every target (.ci/test builds only test_threads with it).
if(BIMT_TSAN)
  if(BIMT_SANITIZE)
    message(FATAL_ERROR "BIMT_TSAN and BIMT_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=thread)
endif()
