# BIMT_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer for every target.
if(BIMT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
