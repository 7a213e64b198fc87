# Sources of lib/train/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_TRAIN_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint.c
  ${CMAKE_CURRENT_LIST_DIR}/cost.c
  ${CMAKE_CURRENT_LIST_DIR}/optim.c
  ${CMAKE_CURRENT_LIST_DIR}/swap.c
  ${CMAKE_CURRENT_LIST_DIR}/trainer.c
)
