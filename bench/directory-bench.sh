#!/usr/bin/env bash
# Directory search latency (issue 13, item 7): loads a synthetic directory into a fresh PostgreSQL database,
# then measures typical directory searches and PractitionerRole/$match with 4 concurrent clients, next to a
# plain Practitioner?family= search on the same server in the same run.
# Usage: bench/directory-bench.sh [clinicians=10000] [requests per query=400] [concurrency=4]
# Needs: PostgreSQL on localhost:5432 (user postgres), ApacheBench (`ab`, Debian's apache2-utils), curl.
# Environment (optional): JAR (the server jar), PORT (default 18193), DB_NAME (measure a database an earlier run
#   loaded, kept: nothing is loaded or dropped), KEEP_DB=1 (keep the new database for a later DB_NAME run).
# After loading, the database is ANALYZEd: PostgreSQL's autovacuum does that in production, but it may be off
#   (it is off on the machines this was written on), and without statistics the planner picks nested loops that
#   turn the chained search with `near` from milliseconds into seconds at 100,000 clinicians.
set -euo pipefail
cd "$(dirname "$0")/.."
CLINICIANS=${1:-10000}
REQUESTS=${2:-400}
CONCURRENCY=${3:-4}
PORT=${PORT:-18193}
BASE="http://localhost:$PORT/fhir"
command -v ab >/dev/null || { echo "ab is missing: apt-get install apache2-utils"; exit 1; }

if curl -s -o /dev/null "http://localhost:$PORT/"; then echo "port $PORT is in use: set PORT"; exit 1; fi
JAR=${JAR:-server/target/equity-fhir-server.jar}
[ -f "$JAR" ] || mvn -B -q -DskipTests package
REUSE=${DB_NAME:-}
DB=${DB_NAME:-equity_dirbench_$(date +%s)}
[ -n "$REUSE" ] || psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE $DB"
source bench/bench-client.sh
BENCH_DIR=$(mktemp -d)
BENCH_ROLE=directory-admin
java -Xmx4g -jar "$JAR" --server.port="$PORT" --equity.db.url="jdbc:postgresql://localhost:5432/$DB" \
  --equity.db.username=postgres --equity.security.clients-file="$(bench_clients_file "$BENCH_DIR")" \
  > /tmp/equity-directory-bench-server.log 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  if [ -z "$REUSE" ] && [ -z "${KEEP_DB:-}" ]; then
    psql -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  else
    echo "kept database $DB (DB_NAME=$DB measures it again)"
  fi
}
trap cleanup EXIT
until curl -sf -o /dev/null "http://localhost:$PORT/actuator/health/readiness"; do
  kill -0 "$PID" 2>/dev/null || { tail -30 /tmp/equity-directory-bench-server.log; exit 1; }
  sleep 1
done
if [ -z "$REUSE" ]; then
  EQUITY_TOKEN=$(bench_token "http://localhost:$PORT") bench/directory-load.sh "$CLINICIANS" --base "$BASE" | tail -3
fi
psql -q -h localhost -U postgres -d "$DB" -c "ANALYZE"
echo "$(psql -At -h localhost -U postgres -d "$DB" -c "SELECT count(*) FROM hfj_resource WHERE res_type = 'Practitioner'") Practitioners in $DB, analyzed; autovacuum: $(psql -At -h localhost -U postgres -d postgres -c 'SHOW autovacuum')"

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="=&$:/?,"))' "$1"; }
declare -A QUERIES=(
  ["plain: Practitioner?family=Ali"]="Practitioner?family=Ali&_count=20"
  ["language: Practitioner?language=so"]="Practitioner?language=urn:ietf:bcp:47|so&_count=20"
  ["proficiency: Practitioner?language-proficiency=so\$30,so\$40,so\$50"]="Practitioner?language-proficiency=so\$30,so\$40,so\$50&_count=20"
  ["competency: Practitioner?cultural-competency:below=east-african"]="Practitioner?cultural-competency:below=http://equityfhir.org/fhir/CodeSystem/cultural-competency|east-african&_count=20"
  ["chained near: PractitionerRole?practitioner.language=so&location.near=St. Paul 10 km"]="PractitionerRole?practitioner.language=urn:ietf:bcp:47|so&location.near=44.95|-93.09|10|km&_include=PractitionerRole:practitioner&_count=20"
  ["\$match: language=so near St. Paul 10 km"]="PractitionerRole/\$match?language=so&near=44.95|-93.09|10|km&count=10"
)
echo
echo "# $(date -u +%FT%TZ), $CLINICIANS clinicians on PostgreSQL, $REQUESTS requests per query, $CONCURRENCY concurrent clients; $(nproc) cores"
echo "| query | p50 ms | p95 ms | requests/s | errors |"
echo "| --- | --- | --- | --- | --- |"
for label in "plain: Practitioner?family=Ali" "language: Practitioner?language=so" "proficiency: Practitioner?language-proficiency=so\$30,so\$40,so\$50" "competency: Practitioner?cultural-competency:below=east-african" "chained near: PractitionerRole?practitioner.language=so&location.near=St. Paul 10 km" "\$match: language=so near St. Paul 10 km"; do
  url="$BASE/$(enc "${QUERIES[$label]}")"
  curl -sf -o /dev/null -H 'Accept: application/fhir+json' "$url" || { echo "| $label | query failed: $url | | | |"; continue; }
  ab -q -n 20 -c "$CONCURRENCY" -H 'Accept: application/fhir+json' "$url" >/dev/null 2>&1   # warm-up
  out=$(ab -q -n "$REQUESTS" -c "$CONCURRENCY" -H 'Accept: application/fhir+json' "$url" 2>&1)
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p95=$(echo "$out" | awk '$1 == "95%" {print $2}')
  rps=$(echo "$out" | awk '/Requests per second/ {print $4}')
  # ab counts a body whose length differs from the first as "failed" (Length); search Bundles differ in
  # length by nature, so only refused connections, receive errors, exceptions and non-2xx answers count.
  broken=$(echo "$out" | sed -n 's/.*(Connect: \([0-9]*\), Receive: \([0-9]*\), Length: [0-9]*, Exceptions: \([0-9]*\)).*/\1 \2 \3/p' | awk '{print $1+$2+$3}')
  non2xx=$(echo "$out" | awk '/Non-2xx responses/ {print $3}')
  echo "| $label | $p50 | $p95 | $rps | $(( ${broken:-0} + ${non2xx:-0} )) |"
done
