# Sources of lib/common/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(COMMON bigbuf blas crc32 mode_pick pool rng status)
