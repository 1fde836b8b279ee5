#!/usr/bin/env bash
# Builds the solution once in Release, runs every test project, and ends with one line:
# "N passed, N failed, N skipped". Exits non-zero if anything failed or nothing passed.
set -euo pipefail
cd "$(dirname "$0")"

# Browser tests drive Chromium. Install it when we can (root, e.g. in CI); otherwise those tests say why they skip.
if [[ ! -x /usr/bin/chromium ]] && [[ "$(id -u)" -eq 0 ]]; then
  echo "test.sh: installing chromium for the browser tests"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }; then
    echo "test.sh: could not install chromium with apt-get; install it (or run as non-root to skip browser tests)" >&2
    exit 1
  fi
fi

# Slice tests start their own throwaway PostgreSQL 15 cluster from these binaries; CI never skips them.
if [[ ! -x /usr/lib/postgresql/15/bin/initdb ]] && [[ "$(id -u)" -eq 0 ]]; then
  echo "test.sh: installing PostgreSQL 15 server binaries for the PostgreSQL slice tests"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15; }; then
    echo "test.sh: could not install postgresql-15 with apt-get" >&2
    exit 1
  fi
fi

dotnet build PosSupport.sln -c Release

results="$(mktemp -d "${TMPDIR:-/tmp}/possupport-tests.XXXXXX")/TestResults"
mkdir -p "$results"

# One TRX file per test project: a fixed LogFileName would let each project overwrite the previous one's
# (microsoft/vstest#3026); LogFilePrefix adds the framework and a millisecond timestamp.
run_tests() {
  dotnet test "tests/$1/$1.csproj" -c Release --no-build \
    --logger "trx;LogFilePrefix=results" --results-directory "$results"
}

# The machine CI uses has two cores. The slice and HTTP suites run side by side. The browser suite (5-15 s Blazor waits)
# and the fault suite (real server processes under load, kill -9) each run alone: side by side, the fault suite's load
# starved Chromium's page updates, and a browser test failed that passes on its own.
status=0
run_tests PosSupport.Core.Tests & core=$!
run_tests PosSupport.Web.Tests & web=$!
wait "$core" || status=1
wait "$web" || status=1
run_tests PosSupport.Browser.Tests || status=1
run_tests PosSupport.Fault.Tests || status=1

summary="$(python3 - "$results" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if counters is None:
        continue
    c = {k: int(v) for k, v in counters.attrib.items()}
    passed += c.get("passed", 0)
    failed += c.get("failed", 0) + c.get("error", 0) + c.get("timeout", 0) + c.get("aborted", 0)
    skipped += c.get("notExecuted", 0)
print(passed, failed, skipped)
PY
)"
read -r passed failed skipped <<<"$summary"

echo "$passed passed, $failed failed, $skipped skipped"
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  exit 1
fi
