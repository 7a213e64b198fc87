# Sources of lib/train/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(TRAIN checkpoint cost optim swap trainer)
