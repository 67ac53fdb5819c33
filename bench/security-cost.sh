#!/usr/bin/env bash
# The cost of authorization and audit on a read and a search (issue 15): two instances of the same build
# on the same PostgreSQL database, one with security on (a bearer token; the Patient read and search are
# also audited, the Practitioner ones are authorized only), one with EQUITY_SECURITY_ENABLED=false (no
# token, no rules, no audit). Once the start-up's background reindexing is done, each case is measured on
# one and then the other, twice, alternating, and the medians of the two rounds are reported.
# Usage: bench/security-cost.sh [requests per case=2000] [concurrency=4]
# Needs: a built jar (mvn -B -q -DskipTests package), PostgreSQL on localhost:5432 (user postgres), ab, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-2000}
CONCURRENCY=${2:-4}
PORT=${PORT:-18194}
PORT_OFF=$((PORT + 1))
ORIGIN="http://localhost:$PORT"
ORIGIN_OFF="http://localhost:$PORT_OFF"
JAR=${JAR:-server/target/equity-fhir-server.jar}
command -v ab >/dev/null || { echo "ab is missing: apt-get install apache2-utils"; exit 1; }
source bench/bench-client.sh
BENCH_DIR=$(mktemp -d)
CLIENTS=$(bench_clients_file "$BENCH_DIR")
DB=equity_securitycost_$(date +%s)
psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE $DB"
PIDS=()
start() { # port, log, extra args
  local port=$1 log=$2; shift 2
  java -Xmx2g -jar "$JAR" --server.port="$port" --equity.db.url="jdbc:postgresql://localhost:5432/$DB" \
    --equity.db.username=postgres --equity.security.clients-file="$CLIENTS" "$@" > "$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  until curl -sf -o /dev/null "http://localhost:$port/actuator/health/readiness"; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$log"; exit 1; }
    sleep 1
  done
}
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  psql -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

start "$PORT" /tmp/equity-security-cost-on.log
start "$PORT_OFF" /tmp/equity-security-cost-off.log --equity.security.enabled=false
TOKEN=$(bench_token "$ORIGIN")
auth=(-H "Authorization: Bearer $TOKEN")
post() { curl -sf -X POST -H 'Content-Type: application/fhir+json' -H 'Prefer: return=representation' "${auth[@]}" \
  "$ORIGIN/fhir/$1" -d "$2" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' | head -1; }
PATIENT=$(post Patient '{"resourceType":"Patient","name":[{"family":"Benchmark","given":["Ada"]}]}')
PRACTITIONER=$(post Practitioner '{"resourceType":"Practitioner","identifier":[{"system":"urn:bench","value":"1"}],"name":[{"family":"Benchmark"}]}')
for i in $(seq 1 20); do post Patient "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Benchmark\",\"given\":[\"P$i\"]}]}" >/dev/null; done
# The guide's installation starts reindexing jobs in the background: measure after they are done.
until [ "$(psql -At -h localhost -U postgres -d "$DB" -c "SELECT count(*) FROM bt2_job_instance WHERE stat NOT IN ('COMPLETED','FAILED','CANCELLED')")" = 0 ]; do
  sleep 5
done
psql -q -h localhost -U postgres -d "$DB" -c "ANALYZE"

declare -A CASES=(
  ["read Patient (authorized, audited)"]="Patient/$PATIENT"
  ["search Patient?family=Benchmark (authorized, audited)"]="Patient?family=Benchmark&_count=20"
  ["read Practitioner (authorized)"]="Practitioner/$PRACTITIONER"
  ["search Practitioner?family=Benchmark (authorized)"]="Practitioner?family=Benchmark&_count=20"
)
ORDER=("read Patient (authorized, audited)" "search Patient?family=Benchmark (authorized, audited)" "read Practitioner (authorized)" "search Practitioner?family=Benchmark (authorized)")
measure() {
  local url=$1; shift
  ab -q -n 50 -c "$CONCURRENCY" -H 'Accept: application/fhir+json' "$@" "$url" >/dev/null 2>&1
  local out; out=$(ab -q -n "$REQUESTS" -c "$CONCURRENCY" -H 'Accept: application/fhir+json' "$@" "$url" 2>&1)
  echo "$(echo "$out" | awk '$1 == "50%" {print $2}') $(echo "$out" | awk '$1 == "95%" {print $2}') $(echo "$out" | awk '/Non-2xx responses/ {print $3}')"
}
declare -A ON ON2 OFF OFF2
AUDIT_BEFORE=$(psql -At -h localhost -U postgres -d "$DB" -c "SELECT count(*) FROM eq_audit_event")
for label in "${ORDER[@]}"; do
  ON[$label]=$(measure "$ORIGIN/fhir/${CASES[$label]}" "${auth[@]}")
  OFF[$label]=$(measure "$ORIGIN_OFF/fhir/${CASES[$label]}")
  OFF2[$label]=$(measure "$ORIGIN_OFF/fhir/${CASES[$label]}")
  ON2[$label]=$(measure "$ORIGIN/fhir/${CASES[$label]}" "${auth[@]}")
done
AUDITED=$(( $(psql -At -h localhost -U postgres -d "$DB" -c "SELECT count(*) FROM eq_audit_event") - AUDIT_BEFORE ))

echo
echo "# $(date -u +%FT%TZ), PostgreSQL, $REQUESTS requests per case and round, $CONCURRENCY concurrent clients, two rounds (on, off, off, on); $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "| case | on: p50 ms (rounds) | on: p95 ms | off: p50 ms (rounds) | off: p95 ms | p50 ratio on/off | non-2xx |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
mid() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a + b) / 2 }'; }
for label in "${ORDER[@]}"; do
  read -r a50 a95 abad <<< "${ON[$label]}"; read -r b50 b95 bbad <<< "${ON2[$label]}"
  read -r c50 c95 cbad <<< "${OFF[$label]}"; read -r d50 d95 dbad <<< "${OFF2[$label]}"
  on50=$(mid "$a50" "$b50"); off50=$(mid "$c50" "$d50")
  ratio=$(awk -v a="$on50" -v b="$off50" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
  echo "| $label | $on50 ($a50, $b50) | $(mid "$a95" "$b95") | $off50 ($c50, $d50) | $(mid "$c95" "$d95") | $ratio | $(( ${abad:-0} + ${bbad:-0} + ${cbad:-0} + ${dbad:-0} )) |"
done
echo "Audit records written by the secured instance while measured: $AUDITED"
