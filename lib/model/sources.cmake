# Sources of lib/model/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(MODEL model rnn rnn_gemm rnn_kernels rnn_loss rnn_states)
