#!/usr/bin/env bash
# Every benchmark of issue 7 from one command, on a fresh machine too: installs
# what is missing and builds (tools/build.sh), then prints, as Markdown on
# stdout, the per-packet table (build/lvs-bench), the control plane's timings
# and map sizes (build/lvs-bench --control-plane) and the end-to-end rates
# (tools/bench/e2e.sh). Progress goes to stderr. About 8 minutes here.
# Usage (as root): tools/bench/run.sh [LVS_BENCH_OPTION...]   (options go to
# the per-packet run, e.g. --runs 7 or --only "DR established")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ $(id -u) -eq 0 ]] || { echo "run.sh: must run as root (BPF, namespaces)" >&2; exit 1; }

tools/build.sh >&2
# A failed case or section is reported and the next section still runs; the
# exit status says whether everything passed.
failed=()
section() {  # section NAME COMMAND...
    local name=$1
    shift
    "$@" || { failed+=("$name (exit $?)"); echo; echo "**$name failed; see stderr.**"; }
}
echo "## Per packet ($(git rev-parse --short HEAD 2>/dev/null || echo 'no git'), $(date -u +%F))"
echo
section "per packet" build/lvs-bench "$@"
echo
echo "## Control plane"
echo
section "control plane" build/lvs-bench --control-plane
echo
echo "## End to end"
section "end to end" tools/bench/e2e.sh build
if ((${#failed[@]})); then
    echo "run.sh: failed: ${failed[*]}" >&2
    exit 1
fi
