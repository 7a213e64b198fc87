# Sources of lib/io/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(IO atomic_file json_write npz_read npz_write textbuf)
