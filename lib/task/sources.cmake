# Sources of lib/task/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(TASK task task_delaydm task_dm task_goanti task_match task_noise task_perf
  task_render)
