#!/usr/bin/env bash
# Fuzzes HiddenPoint's parsers with afl++ through SharpFuzz (docs/development.md, "Fuzzing").
#
#   fuzz/run.sh list                       the harnesses
#   fuzz/run.sh HARNESS [--time MINUTES]   one harness (default 20 minutes)
#   fuzz/run.sh all [--time MINUTES]       every harness, one after the other (never two afl-fuzz at once)
#   fuzz/run.sh A,B,C [--time MINUTES]     the named harnesses, one after the other
#   --no-build                             reuse the instrumented copy of the last run
#
# Builds fuzz/HiddenPoint.Fuzz in Release, copies its output to fuzz/.out/bin, instruments the HiddenPoint assemblies there with the
# sharpfuzz tool (SharpFuzz.CommandLine, installed as a dotnet tool when missing), runs afl-fuzz on the harness with
# fuzz/corpus/HARNESS as its seeds and fuzz/.out/findings/HARNESS as its output, prints afl's figures, and copies
# crash inputs into fuzz/crashes/HARNESS/ (fix each at its root, then commit it: the replay tests keep it fixed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/.out"
bin="$out/bin"
minutes=20
target=""
no_build=0
sharpfuzz_version=2.3.0
# The assemblies whose branches afl++ sees; the harness program itself and the packages are not instrumented.
instrumented=(HiddenPoint.Crypto.dll HiddenPoint.Protocol.dll HiddenPoint.Network.dll HiddenPoint.Client.dll
  HiddenPoint.Client.Messaging.dll HiddenPoint.Client.Api.dll hpc-relay.dll hpc-directory.dll)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) minutes="$2"; shift 2 ;;
    --no-build) no_build=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) target="$1"; shift ;;
  esac
done
[[ -n "$target" ]] || { sed -n '2,14p' "$0"; exit 2; }

build() {
  local log="$out/build.log"
  mkdir -p "$out"
  dotnet build "$here/HiddenPoint.Fuzz/HiddenPoint.Fuzz.csproj" -c Release >"$log" 2>&1 || { grep -E "error|rror\(s\)" "$log" | sort -u >&2; return 1; }
  # Instrument a copy, so that the ordinary Release output (which the replay tests use) stays as built.
  rm -rf "$bin"
  cp -r "$here/HiddenPoint.Fuzz/bin/Release/net10.0" "$bin"
}

if [[ "$target" == list ]]; then
  [[ -f "$bin/HiddenPoint.Fuzz.dll" ]] || build
  dotnet "$bin/HiddenPoint.Fuzz.dll" list
  exit 0
fi

command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing (Debian: apt-get install afl++)" >&2; exit 1; }
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine --version "$sharpfuzz_version" >/dev/null
fi

if [[ $no_build == 0 || ! -f "$bin/HiddenPoint.Fuzz.dll" ]]; then
  echo "building; instrumenting a copy in $bin"
  build
  for assembly in "${instrumented[@]}"; do
    sharpfuzz "$bin/$assembly" >/dev/null
  done
fi

# afl++ on a shared machine: no CPU-frequency or core-pattern checks, no core pinning; the target is dotnet (not
# instrumented itself: SharpFuzz reports coverage from the instrumented assemblies), so skip the binary check.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1
export AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1
export DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1

run_one() {
  local harness="$1" findings="$out/findings/$1"
  [[ -d "$here/corpus/$harness" ]] || { echo "no corpus for $harness (fuzz/corpus/$harness)" >&2; return 1; }
  rm -rf "$findings"
  mkdir -p "$findings"
  echo "== $harness: $minutes minutes"
  afl-fuzz -i "$here/corpus/$harness" -o "$findings" -t 10000 -m none -V $((minutes * 60)) \
    -- dotnet "$bin/HiddenPoint.Fuzz.dll" afl "$harness" >"$findings/afl.log" 2>&1 || true
  local stats="$findings/default/fuzzer_stats"
  if [[ -f "$stats" ]]; then
    grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats"
  else
    echo "afl-fuzz did not start; see $findings/afl.log" >&2
    tail -20 "$findings/afl.log" >&2
    return 1
  fi
  local crashes=("$findings"/default/crashes/id:*)
  if [[ -e "${crashes[0]}" ]]; then
    mkdir -p "$here/crashes/$harness"
    # Named by content (afl's names hold ':' and ','), so that the same crash found twice is one file.
    for crash in "${crashes[@]}"; do
      cp "$crash" "$here/crashes/$harness/crash-$(sha1sum "$crash" | cut -c1-16)"
    done
    echo "${#crashes[@]} crash input(s) copied to fuzz/crashes/$harness/"
  fi
}

if [[ "$target" == all ]]; then
  for harness in $(dotnet "$bin/HiddenPoint.Fuzz.dll" list | awk '{print $1}'); do
    run_one "$harness" || true
  done
else
  for harness in ${target//,/ }; do
    run_one "$harness" || true
  done
fi
