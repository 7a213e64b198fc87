# Sources of lib/report/ (explicit: a new file is added here, nothing is globbed).
bimt_folder_sources(REPORT plot_charts plot_grid report report_html report_json svg)
