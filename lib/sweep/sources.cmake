# Sources of lib/sweep/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(SWEEP json_read sweep sweep_metrics sweep_report)
