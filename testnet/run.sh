#!/usr/bin/env bash
# A local HiddenPoint network of separate processes: 3 directory authorities and N relays, each on its own
# 127.K.0.1 address. A thin front to the testnet program (testnet/HiddenPoint.Testnet, `hpc-testnet`), which does
# the work; see testnet/README.md.
#
#   testnet/run.sh [run] [--relays N] [--timeout S] [--voting-interval S] [--smoke] [--no-build]
#   testnet/run.sh stop | status | logs [NODE] | clean | help
#   testnet/run.sh chaos SCENARIO [options]    (cr-01 cr-02 cr-03 cr-05 cr-07 cr-08 net-std; see testnet/README.md)
#
# `run` and `chaos` build once (Release) unless --no-build is given. Needs only the .NET SDK and standard Debian tools.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/HiddenPoint.Testnet/HiddenPoint.Testnet.csproj"
program="$here/HiddenPoint.Testnet/bin/Release/net10.0/hpc-testnet.dll"
state="$here/.state"

command="run"
if [[ $# -gt 0 && "$1" != --* ]]; then
    command="$1"
    shift
elif [[ $# -gt 0 && "$1" == "--help" ]]; then
    command="help"
    shift
fi

build=yes
args=()
for arg in "$@"; do
    if [[ "$arg" == "--no-build" ]]; then
        build=no
    else
        args+=("$arg")
    fi
done

if ! command -v dotnet >/dev/null 2>&1; then
    echo "run.sh: the .NET SDK (dotnet) is not on PATH; install .NET 10 first." >&2
    exit 1
fi

# run and chaos build the testnet program, which builds hpc-directory, hpc-relay and hpc-client with it; the other
# commands build only when nothing was built yet.
if [[ ( "$command" == "run" || "$command" == "chaos" ) && "$build" == "yes" ]] || [[ ! -f "$program" ]]; then
    echo "Building hpc-testnet, hpc-directory and hpc-relay (Release)..."
    if ! build_log="$(dotnet build "$project" -c Release --nologo -v quiet 2>&1)"; then
        echo "$build_log" >&2
        echo "run.sh: the build failed." >&2
        exit 1
    fi
fi

if [[ "$command" == "help" || "$command" == "-h" ]]; then
    exec dotnet "$program" --help
fi

exec dotnet "$program" "$command" --state-dir "$state" ${args[@]+"${args[@]}"}
