#!/usr/bin/env bash
# Generates a Synthea population offline and posts it, Bundle by Bundle, to a server on a fresh database
# with our guide enforced, as an EHR's export would arrive. Reports, per Bundle, status, size and time,
# and for every refusal the server's OperationOutcome issues; then a summary and the grouped causes.
#
# Usage: bench/synthea-ingest.sh [patients=60] [db=h2|postgres]
# Needs: Java 17, Maven (the first run resolves Synthea from Maven Central into bench/synthea/target/lib;
#   nothing needs the internet after that), curl, python3; for postgres, PostgreSQL on localhost:5432
#   as user postgres (a throwaway database equity_synthea_<timestamp> is created and dropped).
# Environment (all optional):
#   SYNTHEA_OUT   where the population is written and kept (default /tmp/synthea-out); a population made
#                 with the same settings is reused, any other is replaced
#   SYNTHEA_SEED  population and clinician seed (default 12); SYNTHEA_REFERENCE_DATE (default 20261101)
#   REPORT        Markdown report (default $SYNTHEA_OUT/ingest-report.md)
#   EXPLAIN=0     skip the $validate pass over refused Bundles
#   PORT (default 18190), JAVA_OPTS (default -Xmx4g)
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${1:-60}
DB=${2:-h2}
OUT=${SYNTHEA_OUT:-/tmp/synthea-out}
SEED=${SYNTHEA_SEED:-12}
REFERENCE_DATE=${SYNTHEA_REFERENCE_DATE:-20261101}
REPORT=${REPORT:-$OUT/ingest-report.md}
PORT=${PORT:-18190}
JAVA_OPTS=${JAVA_OPTS:--Xmx4g}
JAR=server/target/equity-fhir-server.jar
BASE=http://localhost:$PORT/fhir
case $DB in h2|postgres) ;; *) echo "db must be h2 or postgres" >&2; exit 2 ;; esac

WORK=$(mktemp -d /tmp/synthea-ingest.XXXXXX)
PID=
PGDB=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PGDB" ]; then psql -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The server jar and the population (bench/synthea/generate.sh: the only steps that may need Maven Central).
[ -f "$JAR" ] || mvn -B -q -DskipTests package
bench/synthea/generate.sh "$OUT" "$PATIENTS" "$SEED" "$REFERENCE_DATE"
BUNDLES=()
for f in "$OUT"/fhir/hospitalInformation*.json "$OUT"/fhir/practitionerInformation*.json; do [ -f "$f" ] && BUNDLES+=("$f"); done
while IFS= read -r f; do BUNDLES+=("$f"); done < <(ls "$OUT"/fhir/*.json | grep -v -e /hospitalInformation -e /practitionerInformation)
read -r LARGEST TOTAL < <(ls -l "${BUNDLES[@]}" | awk '{ t += $5; if ($5 > m) m = $5 } END { print m, t }')
echo "${#BUNDLES[@]} Bundles, $(( TOTAL / 1000000 )) MB, largest $(( LARGEST / 1000000 )) MB"

# 3. The server, on a fresh database, guide enforced (the default), with a body limit above the largest
#    Bundle. A separate Bundle limit is passed only where the server documents one.
LIMIT="$(( LARGEST / 1048576 + 16 ))MB"
source bench/bench-client.sh
BENCH_DIR="$WORK"
ARGS=(--server.port="$PORT" --equity.ig.enforce=true --equity.server.max-request-size="$LIMIT"
  --equity.security.clients-file="$(bench_clients_file "$WORK")")
for p in $(grep -o 'equity\.server\.[a-z-]*bundle[a-z-]*' README.md | sort -u); do ARGS+=(--"$p"="$LIMIT"); done
if [ "$DB" = postgres ]; then
  PGDB=equity_synthea_$(date +%Y%m%d%H%M%S)
  psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE $PGDB"
  ARGS+=(--equity.db.url="jdbc:postgresql://localhost:5432/$PGDB" --equity.db.username=postgres)
else
  ARGS+=(--equity.db.data-dir="$WORK/h2")
fi
echo "Starting the server on $DB: ${ARGS[*]}"
# shellcheck disable=SC2086 # JAVA_OPTS holds several flags
java $JAVA_OPTS -jar "$JAR" "${ARGS[@]}" > "$WORK/server.log" 2>&1 &
PID=$!
t0=$(date +%s)
until curl -sf -o /dev/null "http://localhost:$PORT/actuator/health/readiness"; do
  kill -0 "$PID" 2>/dev/null || { tail -30 "$WORK/server.log"; echo "server exited" >&2; exit 1; }
  [ $(( $(date +%s) - t0 )) -lt 600 ] || { echo "server not ready after 600 s" >&2; exit 1; }
  sleep 1
done
echo "Ready after $(( $(date +%s) - t0 )) s"
TOKEN=$(bench_token "http://localhost:$PORT")

# 4. Ingest, one Bundle at a time, as a client would.
RESULTS=$OUT/ingest-results.jsonl
: > "$RESULTS"
n=0
START=$(date +%s)
for f in "${BUNDLES[@]}"; do
  n=$((n + 1))
  read -r code seconds < <(curl -s -o "$WORK/response.json" -w '%{http_code} %{time_total}\n' -X POST \
    -H 'Content-Type: application/fhir+json' -H 'Accept: application/fhir+json' -H "Authorization: Bearer $TOKEN" \
    --data-binary @"$f" "$BASE")
  python3 bench/synthea/bundles.py record "$f" "$WORK/response.json" "$code" "$seconds" "$RESULTS" "$n" "${#BUNDLES[@]}"
done
ELAPSED=$(( $(date +%s) - START ))

EXPLAINED=$OUT/ingest-explain.jsonl
: > "$EXPLAINED"
if [ "${EXPLAIN:-1}" != 0 ] && grep -q '"refusals": \[{' "$RESULTS"; then
  echo "Checking every kind of resource in the refused Bundles with \$validate"
  python3 bench/synthea/bundles.py explain "$RESULTS" "$BASE" > "$EXPLAINED"
fi

{
  python3 bench/synthea/bundles.py report "$RESULTS" "$EXPLAINED" "Synthea ingest: $PATIENTS patients on $DB, $(date -u +%F)"
  echo "Command: \`bench/synthea-ingest.sh $PATIENTS $DB\`; Synthea: \`$(cat "$OUT/.settings")\`; server: \`java $JAVA_OPTS -jar $JAR ${ARGS[*]}\`."
  echo "Wall time of the ingest loop: $ELAPSED s; machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(java -version 2>&1 | head -1)."
} > "$REPORT"
cat "$REPORT"
echo
echo "Report: $REPORT; population kept in $OUT/fhir"
! grep -q '"refusals": \[{' "$RESULTS"
