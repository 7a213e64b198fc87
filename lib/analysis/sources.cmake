# Sources of lib/analysis/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(ANALYSIS anatomy centrality cluster graph kmeans lesion variance wiring)
