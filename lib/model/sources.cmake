# Sources of lib/model/ (explicit: a new file is added here, nothing is globbed).
set(BIMT_MODEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/model.c
  ${CMAKE_CURRENT_LIST_DIR}/rnn.c
  ${CMAKE_CURRENT_LIST_DIR}/rnn_gemm.c
  ${CMAKE_CURRENT_LIST_DIR}/rnn_kernels.c
  ${CMAKE_CURRENT_LIST_DIR}/rnn_loss.c
  ${CMAKE_CURRENT_LIST_DIR}/rnn_states.c
)
