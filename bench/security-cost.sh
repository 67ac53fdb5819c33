#!/usr/bin/env bash
# The cost of authorization and audit on a read and a search (issue 15): the same build, the same
# PostgreSQL database and the same requests, measured with security on (a bearer token; the Patient read
# and search are also audited, the Practitioner ones are authorized only) and then with
# EQUITY_SECURITY_ENABLED=false (the plain engine's path: no token, no rules, no audit).
# Usage: bench/security-cost.sh [requests per case=2000] [concurrency=4]
# Needs: a built jar (mvn -B -q -DskipTests package), PostgreSQL on localhost:5432 (user postgres), ab, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-2000}
CONCURRENCY=${2:-4}
PORT=${PORT:-18194}
ORIGIN="http://localhost:$PORT"
JAR=${JAR:-server/target/equity-fhir-server.jar}
command -v ab >/dev/null || { echo "ab is missing: apt-get install apache2-utils"; exit 1; }
source bench/bench-client.sh
BENCH_DIR=$(mktemp -d)
CLIENTS=$(bench_clients_file "$BENCH_DIR")
DB=equity_securitycost_$(date +%s)
psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE $DB"
PID=
start() {
  java -Xmx2g -jar "$JAR" --server.port="$PORT" --equity.db.url="jdbc:postgresql://localhost:5432/$DB" \
    --equity.db.username=postgres --equity.security.clients-file="$CLIENTS" "$@" > /tmp/equity-security-cost.log 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "$ORIGIN/actuator/health/readiness"; do
    kill -0 "$PID" 2>/dev/null || { tail -30 /tmp/equity-security-cost.log; exit 1; }
    sleep 1
  done
}
stop() { kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; }
cleanup() { stop; psql -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT

start
TOKEN=$(bench_token "$ORIGIN")
auth=(-H "Authorization: Bearer $TOKEN")
post() { curl -sf -X POST -H 'Content-Type: application/fhir+json' -H 'Prefer: return=representation' "${auth[@]}" \
  "$ORIGIN/fhir/$1" -d "$2" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' | head -1; }
PATIENT=$(post Patient '{"resourceType":"Patient","name":[{"family":"Benchmark","given":["Ada"]}]}')
PRACTITIONER=$(post Practitioner '{"resourceType":"Practitioner","identifier":[{"system":"urn:bench","value":"1"}],"name":[{"family":"Benchmark"}]}')
for i in $(seq 1 20); do post Patient "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Benchmark\",\"given\":[\"P$i\"]}]}" >/dev/null; done
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
declare -A ON
for label in "${ORDER[@]}"; do ON[$label]=$(measure "$ORIGIN/fhir/${CASES[$label]}" "${auth[@]}"); done
AUDITED=$(psql -At -h localhost -U postgres -d "$DB" -c "SELECT count(*) FROM eq_audit_event")
stop
start --equity.security.enabled=false
declare -A OFF
for label in "${ORDER[@]}"; do OFF[$label]=$(measure "$ORIGIN/fhir/${CASES[$label]}"); done

echo
echo "# $(date -u +%FT%TZ), PostgreSQL, $REQUESTS requests per case, $CONCURRENCY concurrent clients; $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "| case | on: p50 ms | on: p95 ms | off: p50 ms | off: p95 ms | p50 ratio on/off | non-2xx |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for label in "${ORDER[@]}"; do
  read -r on50 on95 onbad <<< "${ON[$label]}"
  read -r off50 off95 offbad <<< "${OFF[$label]}"
  ratio=$(awk -v a="$on50" -v b="$off50" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
  echo "| $label | $on50 | $on95 | $off50 | $off95 | $ratio | $(( ${onbad:-0} + ${offbad:-0} )) |"
done
echo "Audit records written during the secured run: $AUDITED"
