#!/usr/bin/env bash
# ab_train.sh: interleaved A/B timing of two builds' training step at the reference size.
#
# On a shared virtual machine the speed drifts by tens of percent over minutes, so two builds
# are compared by alternating them, round after round, in the same minutes. Each run is
# `BIMT_NUM_THREADS=2 bench_train 20 16 64`; the mean step time (ms) of every run is printed,
# then the mean per build.
#
#   bench/ab_train.sh A/bench/bench_train B/bench/bench_train [rounds] [--load]
#
# --load pins a busy loop to CPU 1 for the whole comparison (a stand-in for a host that
# preempts one vCPU), as in docs/performance.md, "Still open".
set -euo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,13p' "$0"
    exit 2
fi
a=$1 b=$2 rounds=${3:-6} load=${4:-}
for f in "$a" "$b"; do
    [ -x "$f" ] || { echo "ab_train.sh: $f is not an executable bench_train" >&2; exit 2; }
done
pid=
if [ "$load" = "--load" ]; then
    taskset -c 1 sh -c 'while :; do :; done' &
    pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
fi
step_ms() { BIMT_NUM_THREADS=2 "$1" 20 16 64 2>&1 | awk '/^  step/ {print $2}'; }
sa=() sb=()
for _ in $(seq "$rounds"); do
    ma=$(step_ms "$a") mb=$(step_ms "$b")
    echo "A $ma   B $mb"
    sa+=("$ma") sb+=("$mb")
done
mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.2f", s / NR}'; }
echo "mean step (ms): A $(mean "${sa[@]}")  B $(mean "${sb[@]}")  (${rounds} rounds${load:+, busy loop on CPU 1})"
