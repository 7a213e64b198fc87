# Tests of the main program grow_brain (included by examples/CMakeLists.txt).
if(BIMT_BUILD_TESTS AND TARGET grow_brain)
  set(_gb ${CMAKE_CURRENT_BINARY_DIR}/grow_brain_tests)
  file(MAKE_DIRECTORY ${_gb})
  set(_gb_files network.svg task_variance.svg clusters.svg performance.svg importance.svg
      weight_distance.svg null_isolated.svg null_cluster_size.svg metrics.json index.html
      model.npz)
  string(REPLACE ";" " " _gb_list "${_gb_files}")

  # A tiny training run writes the whole report folder.
  add_test(NAME grow_brain_smoke
    COMMAND sh -c "rm -rf \"$1\" && \"$0\" --grid 4 --steps 20 --shuffles 20 --out \"$1\" && for f in ${_gb_list}; do test -s \"$1/$f\" || { echo \"missing $1/$f\"; exit 1; }; done"
            $<TARGET_FILE:grow_brain> ${_gb}/smoke)
  set_tests_properties(grow_brain_smoke PROPERTIES TIMEOUT 600
    PASS_REGULAR_EXPRESSION "report: .*/index.html")

  # A config file sets keys (comments and blanks allowed); options win over the file. Every
  # rule weight is set, so the expected weights do not depend on the defaults.
  file(WRITE ${_gb}/good.conf "# tiny run\ngrid = 3   # 9 neurons\nsteps = 10\nbatch = 8\n\neval_trials = 16\narm = l1\nshuffles = 5\nweight.fdgo = 0\nweight.reactgo = 1\nweight.delaygo = 1\nweight.fdanti = 1\nweight.reactanti = 1\nweight.delayanti = 1\nweight.dm1 = 1\nweight.dm2 = 1\nweight.contextdm1 = 7\nweight.contextdm2 = 6\nweight.multidm = 1\nweight.delaydm1 = 1\nweight.delaydm2 = 1\nweight.contextdelaydm1 = 1\nweight.contextdelaydm2 = 2\nweight.multidelaydm = 1\nweight.dmsgo = 1\nweight.dmsnogo = 1\nweight.dmcgo = 1\nweight.dmcnogo = 1\nlr = 3e-3\nlr_end = 1e-4\n")
  add_test(NAME grow_brain_config
    COMMAND sh -c "rm -rf \"$1\" && \"$0\" --config \"$2\" --grid 4 --quiet --out \"$1\" && grep -q '\"grid_side\": 4' \"$1/metrics.json\" && grep -q '\"batch_size\": 8' \"$1/metrics.json\" && grep -q '\"arm\": \"l1\"' \"$1/metrics.json\" && grep -q '\"n_shuffles\": 5' \"$1/metrics.json\" && grep -q '\"rule_weight\": \\[0, 1, 1, 1, 1, 1, 1, 1, 7, 6, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1\\]' \"$1/metrics.json\" && grep -q '\"learning_rate\": 0.0001,' \"$1/metrics.json\""
            $<TARGET_FILE:grow_brain> ${_gb}/config ${_gb}/good.conf)
  set_tests_properties(grow_brain_config PROPERTIES TIMEOUT 600)

  # A diverging run (absurd learning rate, exploding relu network) halves the learning rate at each divergence, gives
  # up after 8 with exit code 1 and keeps the checkpoint of the last good parameters (their
  # states overflow, so the report says why it cannot analyse them).
  file(WRITE ${_gb}/diverge.conf "lr = 1\nlr_end = 1\nsteps = 60\ngrid = 4\nshuffles = 2\neval_interval = 0\nactivation = relu\ninit_scale = 3\n")
  add_test(NAME grow_brain_divergence
    COMMAND sh -c "rm -rf \"$1\"; \"$0\" --config \"$2\" --out \"$1\" 2>&1; rc=$?; test -s \"$1/model.npz\" || { echo 'no checkpoint'; exit 1; }; test $rc -eq 1 || { echo \"exit code $rc\"; exit 1; }"
            $<TARGET_FILE:grow_brain> ${_gb}/diverge ${_gb}/diverge.conf)
  set_tests_properties(grow_brain_divergence PROPERTIES TIMEOUT 600
    PASS_REGULAR_EXPRESSION "learning rate halved \\(x0.5\\).*cannot be analysed" FAIL_REGULAR_EXPRESSION "no checkpoint|exit code")

  add_test(NAME grow_brain_help COMMAND grow_brain --help)
  set_tests_properties(grow_brain_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: grow_brain")

  # Bad command lines and configuration files: a message on stderr and exit code 2,
  # before any training.
  file(WRITE ${_gb}/unknown_key.conf "grid = 4\nnonsense = 3\n")
  file(WRITE ${_gb}/bad_value.conf "steps = many\n")
  file(WRITE ${_gb}/no_equals.conf "grid 4\n")
  file(WRITE ${_gb}/unknown_rule.conf "weight.contextdm9 = 2\n")
  file(WRITE ${_gb}/negative_weight.conf "weight.dm1 = -1\n")
  file(WRITE ${_gb}/zero_lr_end.conf "lr_end = 0\n")
  file(WRITE ${_gb}/easy_frac.conf "easy_frac = 1.5\n")
  file(WRITE ${_gb}/final_eval.conf "final_eval_trials = 0\n")
  # Each case: name|arguments separated by commas.
  set(_gb_bad
    "bogus_option|--bogus"
    "non_numeric|--grid,abc"
    "out_of_range|--grid,1000"
    "negative_lambda|--lambda,-1"
    "nan_lambda|--lambda,nan"
    "missing_value|--steps"
    "unknown_arm|--arm,foo"
    "positional|extra"
    "unreadable_config|--config,${_gb}/does_not_exist.conf"
    "config_unknown_key|--config,${_gb}/unknown_key.conf"
    "config_bad_value|--config,${_gb}/bad_value.conf"
    "config_no_equals|--config,${_gb}/no_equals.conf"
    "config_unknown_rule|--config,${_gb}/unknown_rule.conf"
    "config_negative_weight|--config,${_gb}/negative_weight.conf"
    "config_zero_lr_end|--config,${_gb}/zero_lr_end.conf"
    "config_easy_frac_above_1|--config,${_gb}/easy_frac.conf"
    "config_zero_final_eval|--config,${_gb}/final_eval.conf"
    "quiet_with_value|--quiet=1")
  foreach(_case ${_gb_bad})
    string(FIND "${_case}" "|" _bar)
    string(SUBSTRING "${_case}" 0 ${_bar} _name)
    math(EXPR _bar "${_bar} + 1")
    string(SUBSTRING "${_case}" ${_bar} -1 _args)
    string(REPLACE "," ";" _parts "${_args}")
    add_test(NAME grow_brain_usage_${_name}
      COMMAND sh -c "\"$0\" --grid 2 --steps 0 --shuffles 0 --out ${_gb}/never \"$@\" 2>&1 >/dev/null; rc=$?; test $rc -eq 2 || { echo \"exit code $rc, expected 2\"; exit 1; }"
              $<TARGET_FILE:grow_brain> ${_parts})
    # The message names the problem (stderr is captured into the test output).
    set_tests_properties(grow_brain_usage_${_name} PROPERTIES
      PASS_REGULAR_EXPRESSION "grow_brain: " FAIL_REGULAR_EXPRESSION "expected 2")
  endforeach()
endif()
