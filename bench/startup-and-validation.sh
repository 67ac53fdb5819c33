#!/usr/bin/env bash
# Measures, in one run on this machine:
#   1. start-up time (JVM launch -> first 200 from /fhir/metadata) and resident memory after start,
#      on a fresh and on an already-initialised database, for H2 and PostgreSQL;
#   2. median latency of a validated Practitioner create against the same create with guide enforcement
#      off (equity.ig.enforce=false), on PostgreSQL.
# Usage: bench/startup-and-validation.sh [runs=3] [creates=300]
# Needs: a built jar (mvn -B -q -DskipTests package), curl, and PostgreSQL at localhost:5432 (user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
CREATES=${2:-300}
JAR=server/target/equity-fhir-server.jar
PORT=18080
PGUSER_=${EQUITY_TEST_DB_USER:-postgres}
BODY=$(mktemp)
python3 - "$BODY" <<'PY'
import json, sys
p = json.load(open("profiles/src/main/fhir/examples/Practitioner-practitioner-hodan-ali.json"))
p.pop("id", None); p.pop("meta", None)
json.dump(p, open(sys.argv[1], "w"))
PY
[ -f "$JAR" ] || mvn -B -q -DskipTests package

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

await() { # url: polls until 200, fails if the server exits
  until curl -sf -o /dev/null "$1"; do
    kill -0 $PID 2>/dev/null || { echo "server died, see /tmp/equity-bench-server.log"; exit 1; }
    sleep 0.2
  done
}

start_server() { # args: extra java args...; sets PID, STARTUP_MS (first /fhir/metadata 200), READY_MS, RSS_MB
  local t0; t0=$(date +%s%N)
  java -Xmx2g -jar "$JAR" --server.port=$PORT "$@" > /tmp/equity-bench-server.log 2>&1 &
  PID=$!
  await "http://localhost:$PORT/fhir/metadata"
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  await "http://localhost:$PORT/actuator/health/readiness"   # after the guide is installed
  READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  RSS_MB=$(( $(ps -o rss= -p $PID) / 1024 ))
}
stop_server() { kill $PID; wait $PID 2>/dev/null || true; }

pg_db() { local name="equity_bench_$1"; psql -q -h localhost -U "$PGUSER_" -d postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" 2>/dev/null; echo "jdbc:postgresql://localhost:5432/$name"; }
pg_drop() { psql -q -h localhost -U "$PGUSER_" -d postgres -c "DROP DATABASE IF EXISTS equity_bench_$1 WITH (FORCE)" 2>/dev/null; }

echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; $(java -version 2>&1 | head -1)"
echo "| database | database state | start-up to /fhir/metadata 200 (median ms) | to readiness UP (median ms) | RSS when ready (median MB) | runs |"
echo "| --- | --- | --- | --- | --- | --- |"
for db in H2 PostgreSQL; do
  fresh_t=(); fresh_r=(); fresh_m=(); warm_t=(); warm_r=(); warm_m=()
  for run in $(seq 1 "$RUNS"); do
    if [ $db = H2 ]; then dir=$(mktemp -d); args=(--equity.db.data-dir="$dir"); else args=(--equity.db.url="$(pg_db startup)" --equity.db.username="$PGUSER_"); fi
    start_server "${args[@]}"; fresh_t+=($STARTUP_MS); fresh_r+=($READY_MS); fresh_m+=($RSS_MB); stop_server
    start_server "${args[@]}"; warm_t+=($STARTUP_MS); warm_r+=($READY_MS); warm_m+=($RSS_MB); stop_server
    if [ $db = H2 ]; then rm -rf "$dir"; else pg_drop startup; fi
  done
  echo "| $db | empty (schema + guide installed) | $(printf '%s\n' "${fresh_t[@]}" | median) | $(printf '%s\n' "${fresh_r[@]}" | median) | $(printf '%s\n' "${fresh_m[@]}" | median) | $RUNS |"
  echo "| $db | initialised (restart) | $(printf '%s\n' "${warm_t[@]}" | median) | $(printf '%s\n' "${warm_r[@]}" | median) | $(printf '%s\n' "${warm_m[@]}" | median) | $RUNS |"
done

echo
echo "| PostgreSQL, sequential creates of one Practitioner (Practitioner-practitioner-hodan-ali) | median ms | p95 ms | creates |"
echo "| --- | --- | --- | --- |"
declare -A MED
for enforce in false true; do
  # Security off in both arms: this measures validation alone (bench/security-cost.sh measures authorization and audit).
  start_server --equity.db.url="$(pg_db create)" --equity.db.username="$PGUSER_" --equity.ig.enforce=$enforce --equity.security.enabled=false
  times=$(mktemp)
  for i in $(seq 1 $((CREATES + 30))); do
    code_time=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST -H 'Content-Type: application/fhir+json' \
      --data-binary @"$BODY" "http://localhost:$PORT/fhir/Practitioner")
    [ "${code_time%% *}" = 201 ] || { echo "create failed: $code_time"; exit 1; }
    [ "$i" -gt 30 ] && echo "${code_time#* }" | awk '{printf "%.2f\n", $1*1000}' >> "$times"   # first 30 warm up
  done
  MED[$enforce]=$(median < "$times")
  p95=$(sort -n "$times" | awk '{a[NR]=$1} END {print a[int(NR*0.95)]}')
  label=$([ $enforce = true ] && echo "validated (equity.ig.enforce=true)" || echo "unvalidated (equity.ig.enforce=false)")
  echo "| $label | ${MED[$enforce]} | $p95 | $CREATES |"
  stop_server; pg_drop create; rm -f "$times"
done
echo
echo "Validated / unvalidated median: $(awk -v a="${MED[true]}" -v b="${MED[false]}" 'BEGIN {printf "%.2f", a/b}')"
rm -f "$BODY"
