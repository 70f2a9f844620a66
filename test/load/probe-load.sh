#!/usr/bin/env bash
# Load test of the readiness probe with wrk, on loopback, bounded in time:
# 50 connections on /health/ready while the sample site warms itself, then on /health/ready and
# /health/live after it is warm. Needs: apt-get install -y wrk
#   bash test/load/probe-load.sh [seconds-per-phase]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-3}
port=5187
url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 2; }

dotnet build -c Release src/HealthChecks.Warmup.Sample -v q -nologo >/dev/null
log=$(mktemp)
# From the project folder, so that its wwwroot is the content root.
(cd src/HealthChecks.Warmup.Sample && ASPNETCORE_URLS="$url" ASPNETCORE_ENVIRONMENT=Production \
  exec dotnet bin/Release/net10.0/HealthChecks.Warmup.Sample.dll) >"$log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true; rm -f "$log"' EXIT

until curl -s -o /dev/null "$url/health/live"; do sleep 0.05; done
echo "== /health/ready while warming (${seconds}s, 50 connections)"
wrk -t2 -c50 -d"${seconds}s" --latency "$url/health/ready" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health/ready")" = 200 ]; do sleep 0.1; done
echo "== /health/ready once warm"
wrk -t2 -c50 -d"${seconds}s" --latency "$url/health/ready" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
echo "== /health/live (no checks), same run"
wrk -t2 -c50 -d"${seconds}s" --latency "$url/health/live" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
grep -E "warm-up .* (succeeded|failed)" "$log" || true
