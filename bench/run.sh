#!/usr/bin/env bash
# The network benchmark (docs/performance.md): builds and runs bench/HiddenPoint.NetworkBenchmark, which starts 3
# authorities, 8 relays and a hidden point as separate processes and measures every figure of docs/benchmarks.md.
#
#   bench/run.sh [--quick] [--json FILE] [--tor] [--plot FILE.png] [--bulk-mb N]
#
#   --quick        one network instead of five, smaller samples (under 2 minutes)
#   --json FILE    hpc's figures and raw samples as JSON (default bench/results/hpc.json)
#   --tor          then Tor's figures on the same machine (bench/HiddenPoint.TorBenchmark; installs Debian's tor if
#                  missing), and one block with hpc., tor. and ratio. lines, and the round-trip plot
#   --plot FILE    where --tor writes the plot (default bench/results/rtt.png)
#   --bulk-mb N    a bulk transfer of N MB instead of 50 (10 with --quick): long enough to attach a profiler
#
# Progress goes to standard error, the figures to standard output. Ctrl-C stops every process a benchmark started.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
results="$here/results"
hpc_project="$here/HiddenPoint.NetworkBenchmark/HiddenPoint.NetworkBenchmark.csproj"
hpc_program="$here/HiddenPoint.NetworkBenchmark/bin/Release/net10.0/HiddenPoint.NetworkBenchmark.dll"
tor_project="$here/HiddenPoint.TorBenchmark/HiddenPoint.TorBenchmark.csproj"
tor_program="$here/HiddenPoint.TorBenchmark/bin/Release/net10.0/HiddenPoint.TorBenchmark.dll"

quick=()
bulk=()
json="$results/hpc.json"
tor=no
plot="$results/rtt.png"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=(--quick) ;;
        --tor) tor=yes ;;
        --json|--plot|--bulk-mb)
            if [[ $# -lt 2 ]]; then
                echo "run.sh: $1 needs a value." >&2
                exit 64
            fi
            case "$1" in
                --json) json="$2" ;;
                --plot) plot="$2" ;;
                *) bulk=(--bulk-mb "$2") ;;
            esac
            shift ;;
        -h|--help)
            sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0 ;;
        *)
            echo "run.sh: '$1' is not an option (see --help)." >&2
            exit 64 ;;
    esac
    shift
done

if ! command -v dotnet >/dev/null 2>&1; then
    echo "run.sh: the .NET SDK (dotnet) is not on PATH; install .NET 10 first." >&2
    exit 1
fi

mkdir -p "$results"

build() {
    echo "Building $(basename "$(dirname "$1")") (Release)..." >&2
    local log
    if ! log="$(dotnet build "$1" -c Release --nologo -v quiet 2>&1)"; then
        echo "$log" >&2
        echo "run.sh: the build of $1 failed." >&2
        exit 1
    fi
}

# Each benchmark runs in the background so that a signal to this script reaches it as SIGTERM, on which it stops
# every process it started and removes its folder before exiting.
child=""
forward() {
    if [[ -n "$child" ]]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    exit 130
}
trap forward INT TERM

run() {
    "$@" &
    child=$!
    local status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}

build "$hpc_project"
run dotnet "$hpc_program" ${quick[@]+"${quick[@]}"} ${bulk[@]+"${bulk[@]}"} --json "$json"

if [[ "$tor" == "yes" ]]; then
    if [[ ! -f "$tor_project" ]]; then
        echo "run.sh: --tor needs bench/HiddenPoint.TorBenchmark (the Tor side of the benchmark), which this checkout does not have." >&2
        exit 1
    fi
    if ! command -v tor >/dev/null 2>&1; then
        echo "Installing Debian's tor..." >&2
        if [[ "$(id -u)" -eq 0 ]]; then
            apt-get install -y tor >&2
        else
            sudo apt-get install -y tor >&2
        fi
    fi
    build "$tor_project"
    tor_json="$(dirname "$json")/tor.json"
    run dotnet "$tor_program" --json "$tor_json" ${quick[@]+"${quick[@]}"}
    run dotnet "$hpc_program" --report "$json" "$tor_json" --plot "$plot"
fi
