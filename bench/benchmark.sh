#!/usr/bin/env bash
# Issue 16's benchmark in one command, on PostgreSQL: builds the data, then runs the same scenarios against the
# same build twice in one run, started as
#   baseline  the plain HAPI JPA engine underneath: guide enforcement, opt-out masking, authorization and audit off,
#             started with java -jar
#   equity    everything on, started as in production (the Dockerfile: server/cds-archive.sh's unpacked jar and
#             class-data sharing archive)
# then, for each optimization (OPTIMIZATIONS below), the scenarios it changes once more with only it turned off,
# so that every optimization has a before/after pair measured in the same run
# and writes a Markdown table (results.md) and a chart (chart.svg) to a results folder. Load comes from Gatling
# (bench/gatling, Java DSL, simulation Benchmark), one run per scenario, so each Gatling summary is one scenario's.
#
# Usage: bench/benchmark.sh [size=default]
#   smallest  60 clinicians, 2 Synthea patients, 3 s per scenario, 2 clients, no warm-up: proves the harness
#             (a test runs it; its figures mean nothing)
#   default   10,000 clinicians, 10 Synthea patients, 12 s per scenario, 4 clients (under 20 minutes here)
#   large     100,000 clinicians, 60 Synthea patients, 40 s per scenario, 4 clients
# Each mode first runs a warm-up of three times a scenario's length that touches every kind of request
# (none at the smallest size).
# Needs: Java 17, Maven (the server jar and Gatling; Synthea is resolved from Maven Central on first use), curl,
#   python3, and PostgreSQL on localhost:5432 as EQUITY_TEST_DB_USER (postgres) / EQUITY_TEST_DB_PASSWORD.
# Environment (optional): RESULTS (the results folder, default bench/results/benchmark-<size>-<time>), JAR,
#   HEAP (each server's heap, default 2g), PORT (default 18290), SYNTHEA_OUT (default /tmp/equity-bench-synthea-<size>),
#   DATA_DB (the data database, default equity_bench_data_<size>), KEEP_DATA=1 (keep it for the next run: it is
#   reused while its stamp, the sizes and the jar, holds).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-default}
case $SIZE in
  smallest) CLINICIANS=60; PATIENTS=2; SECONDS_PER=3; USERS=2; WARMUP=0 ;;
  default) CLINICIANS=10000; PATIENTS=10; SECONDS_PER=12; USERS=4; WARMUP=3 ;;
  large) CLINICIANS=100000; PATIENTS=60; SECONDS_PER=40; USERS=4; WARMUP=3 ;;
  *) echo "size must be smallest, default or large" >&2; exit 2 ;;
esac
INGEST_USERS=2
SEED=2026
STAMP_NOW=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$(realpath -m "${RESULTS:-bench/results/benchmark-$SIZE-$STAMP_NOW}")
JAR=${JAR:-server/target/equity-fhir-server.jar}
HEAP=${HEAP:-2g}
PORT=${PORT:-18290}
ORIGIN="http://localhost:$PORT"
SYNTHEA_OUT=${SYNTHEA_OUT:-/tmp/equity-bench-synthea-$SIZE}
export PGUSER=${EQUITY_TEST_DB_USER:-postgres} PGPASSWORD=${EQUITY_TEST_DB_PASSWORD:-} PGHOST=${EQUITY_TEST_DB_HOST:-localhost}
DATA_DB=${DATA_DB:-equity_bench_data_$SIZE}
mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/equity-benchmark.XXXXXX)
PID=
RUN_DBS=()
stop_server() { if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi; PID=; }
cleanup() {
  stop_server
  for db in "${RUN_DBS[@]}"; do psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; done
  [ -n "${KEEP_DATA:-}" ] || psql -q -d postgres -c "DROP DATABASE IF EXISTS $DATA_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
curl -s -o /dev/null "$ORIGIN/" && { echo "port $PORT is in use: set PORT" >&2; exit 1; }
log() { echo "[$(date -u +%T)] $*"; }

# 1. What the run needs: the jar, Gatling compiled, the Synthea population, a registered client.
[ -f "$JAR" ] || mvn -B -q -DskipTests package
mvn -B -q -f bench/gatling/pom.xml test-compile
# The equity mode starts as the Dockerfile starts the server: unpacked, with a class-data sharing archive.
log "preparing the class-data sharing archive (server/cds-archive.sh)"
server/cds-archive.sh "$JAR" "$WORK/cds" > "$RESULTS/cds-archive.log" 2>&1 || { cat "$RESULTS/cds-archive.log"; exit 1; }
CDS_LAUNCH=(-XX:SharedArchiveFile="$WORK/cds/app.jsa" -jar "$WORK/cds/$(basename "$JAR")")
bench/synthea/generate.sh "$SYNTHEA_OUT" "$PATIENTS" 12
: > "$WORK/bundles.txt"
for f in "$SYNTHEA_OUT"/fhir/*.json; do
  case $f in */hospitalInformation*|*/practitionerInformation*) ;; *) echo "$f" >> "$WORK/bundles.txt" ;; esac
done
LARGEST=$(ls -l "$SYNTHEA_OUT"/fhir/*.json | awk '{ if ($5 > m) m = $5 } END { print m }')
LIMIT="$(( LARGEST / 1048576 + 16 ))MB"
source bench/bench-client.sh
BENCH_DIR=$WORK
CLIENTS=$(bench_clients_file "$WORK")
python3 - "$WORK/screening.json" <<'PY'
import json, sys
o = json.load(open("profiles/src/main/fhir/examples/Observation-obs-amina-hvs-q1.json"))
for k in ("id", "meta", "text"):
    o.pop(k, None)
o["subject"] = {"reference": "Patient/bench-patient"}
o["performer"] = [{"reference": "Patient/bench-patient"}]
json.dump(o, open(sys.argv[1], "w"))
PY

# 2. The server, in either mode, on a database; how long it takes to be ready, and how much memory it holds.
COMMON=(--server.port="$PORT" --equity.db.username="$PGUSER" --equity.db.password="$PGPASSWORD"
  --equity.server.max-request-size="$LIMIT" --equity.security.clients-file="$CLIENTS" --equity.insights.monthly-check=24h)
for p in $(grep -o 'equity\.server\.[a-z-]*bundle[a-z-]*' README.md | sort -u); do COMMON+=(--"$p"="$LIMIT"); done
BASELINE_ARGS=(--equity.ig.enforce=false --equity.security.enabled=false --equity.directory.mask-opt-outs=false)
start_server() { # mode, database, log, extra arguments...; sets PID, READY_S
  local args=("${COMMON[@]}" --equity.db.url="jdbc:postgresql://$PGHOST:5432/$2") launch=("${CDS_LAUNCH[@]}") a
  # The plain engine (and the data build) start as HAPI's users start a Spring Boot jar: java -jar.
  [ "$1" = baseline ] && { args+=("${BASELINE_ARGS[@]}"); launch=(-jar "$JAR"); }
  for a in "${@:4}"; do
    if [ "$a" = launch=jar ]; then launch=(-jar "$JAR"); else args+=("$a"); fi
  done
  local t0; t0=$(date +%s%N)
  java -Xmx"$HEAP" "${launch[@]}" "${args[@]}" > "$3" 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "$ORIGIN/actuator/health/readiness"; do
    kill -0 "$PID" 2>/dev/null || { tail -40 "$3"; echo "the server exited, see $3" >&2; exit 1; }
    sleep 0.2
  done
  READY_S=$(( ($(date +%s%N) - t0) / 1000000 ))
  READY_S=$(awk -v ms="$READY_S" 'BEGIN { printf "%.1f", ms / 1000 }')
}
rss_mb() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$PID/status"; }
post() { # path, file: a write the data build needs, which must succeed
  curl -sf -o /dev/null -X "${3:-POST}" -H 'Content-Type: application/fhir+json' "$ORIGIN/fhir/$1" --data-binary @"$2" \
    || { echo "data build: ${3:-POST} $1 with $2 failed" >&2; exit 1; }
}

# 3. The data, built once with the plain engine (no figure comes from it) and kept as a template database:
#    the directory generator's clinicians, Synthea's directory and patients, and for every third patient a
#    Hunger Vital Sign screening answer and a referral to a food shelf.
DATA_STAMP="clinicians=$CLINICIANS seed=$SEED synthea=$(md5sum "$SYNTHEA_OUT/.settings" | cut -c1-8) jar=$(md5sum "$JAR" | cut -c1-8)"
if [ "$(psql -Atq -d postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DATA_DB'")" != "$DATA_STAMP" ]; then
  log "building the data: $CLINICIANS clinicians, $PATIENTS Synthea patients"
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $DATA_DB WITH (FORCE)" -c "CREATE DATABASE $DATA_DB"
  start_server baseline "$DATA_DB" "$RESULTS/data-server.log"
  for id in bench-shelf bench-clinic; do
    echo "{\"resourceType\":\"Organization\",\"id\":\"$id\",\"active\":true,\"name\":\"Benchmark $id\"}" > "$WORK/$id.json"
    post "Organization/$id" "$WORK/$id.json" PUT
  done
  echo '{"resourceType":"Patient","id":"bench-patient","identifier":[{"system":"urn:equity:bench","value":"bench-patient"}],"name":[{"family":"Bench","given":["Load"]}],"gender":"unknown"}' > "$WORK/patient.json"
  post Patient/bench-patient "$WORK/patient.json" PUT
  java bench/directory/DirectoryGenerator.java --clinicians "$CLINICIANS" --seed "$SEED" --threads 2 --bundle-size 150 \
    --places bench/directory/mn-places.csv --base "$ORIGIN/fhir" > "$RESULTS/data-directory.log" 2>&1 \
    || { tail -20 "$RESULTS/data-directory.log"; exit 1; }
  for f in "$SYNTHEA_OUT"/fhir/hospitalInformation*.json "$SYNTHEA_OUT"/fhir/practitionerInformation*.json; do [ -f "$f" ] && post "" "$f"; done
  n=0
  while read -r f; do
    location=$(curl -sf -H 'Content-Type: application/fhir+json' "$ORIGIN/fhir" --data-binary @"$f" \
      | python3 -c 'import json,sys; b=json.load(sys.stdin); print(next(e["response"]["location"] for e in b["entry"] if e["response"]["location"].startswith("Patient/")))') \
      || { echo "data build: Synthea Bundle $f failed" >&2; exit 1; }
    n=$((n + 1))
    if [ $((n % 3)) = 1 ]; then
      patient=${location%%/_history*}
      sed "s#Patient/bench-patient#$patient#" "$WORK/screening.json" > "$WORK/s.json" && post Observation "$WORK/s.json"
      python3 - "$patient" > "$WORK/r.json" <<'PY'
import json, sys, uuid
patient = sys.argv[1]
urn = "urn:uuid:%s" % uuid.uuid4()
sr = {"resourceType": "ServiceRequest", "status": "active", "intent": "order",
      "category": [{"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "code": "sdoh"}]}],
      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "467771000124109"}]},
      "subject": {"reference": patient}, "requester": {"reference": "Organization/bench-clinic"},
      "performer": [{"reference": "Organization/bench-shelf"}], "authoredOn": "2026-11-20T09:00:00Z"}
task = {"resourceType": "Task", "status": "requested", "intent": "order",
        "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]},
        "focus": {"reference": urn}, "for": {"reference": patient}, "authoredOn": "2026-11-20T09:00:00Z",
        "requester": {"reference": "Organization/bench-clinic"}}
print(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [
    {"fullUrl": urn, "resource": sr, "request": {"method": "POST", "url": "ServiceRequest"}},
    {"resource": task, "request": {"method": "POST", "url": "Task"}}]}))
PY
      post "" "$WORK/r.json"
    fi
  done < "$WORK/bundles.txt"
  stop_server
  psql -q -d "$DATA_DB" -c "ANALYZE"
  psql -q -d postgres -c "COMMENT ON DATABASE $DATA_DB IS '$DATA_STAMP'"
  log "data built"
else
  log "reusing the data in $DATA_DB ($DATA_STAMP)"
fi
RESOURCES=$(psql -Atq -d "$DATA_DB" -c "SELECT count(*) FROM hfj_resource")

# 4. Each mode on its own copy of the data: start-up, memory, the scenarios, memory again, bytes on disk.
SCENARIOS=(read-anonymous read-token search-language search-proficiency search-competency search-distance
  search-chained match worklist create transition ingest)
FIGURES=$RESULTS/figures.tsv
printf 'mode\tscenario\tusers\tlog\n' > "$FIGURES"
gatling() { # mode, scenario, users, seconds, token
  local out="$RESULTS/gatling/$1-$2"
  mkdir -p "$out"
  mvn -B -q -f bench/gatling/pom.xml gatling:test -Dgatling.simulationClass=org.equityfhir.bench.Benchmark \
    -Dgatling.resultsFolder="$out" -Dbase="$ORIGIN" -Dtoken="$5" -Dscenario="$2" -Dusers="$3" -Dseconds="$4" \
    -Dbundles="$WORK/bundles.txt" -Dscreening="$WORK/screening.json" \
    -Dshelf=Organization/bench-shelf -Dclinic=Organization/bench-clinic > "$out.log" 2>&1 \
    || { tail -30 "$out.log"; echo "Gatling failed: $1 $2 (see $out.log)" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$out.log" >> "$FIGURES"
}
run_mode() { # mode, extra server arguments (one word, may be empty), scenarios...
  local mode=$1 extra=$2 db=equity_bench_${1//[^a-z]/_}_$$
  shift 2
  RUN_DBS+=("$db")
  psql -q -d postgres -c "CREATE DATABASE $db TEMPLATE $DATA_DB"
  # shellcheck disable=SC2086 # the extra arguments are words, none with spaces
  start_server "$mode" "$db" "$RESULTS/${mode//:/-}-server.log" $extra
  rss_start=$(rss_mb)
  log "$mode: ready in $READY_S s, $rss_start MB resident"
  TOKEN=; [ "$mode" = baseline ] || TOKEN=$(bench_token "$ORIGIN") # the plain engine has no sign-in
  [ $# = 0 ] || [ "$WARMUP" = 0 ] || gatling "$mode" warmup "$USERS" $((WARMUP * SECONDS_PER)) "$TOKEN"
  for s in "$@"; do
    users=$USERS; [ "$s" = ingest ] && users=$INGEST_USERS
    log "$mode: $s ($users clients)"
    gatling "$mode" "$s" "$users" "$SECONDS_PER" "$TOKEN"
  done
  rss_load=$(rss_mb)
  stop_server
  read -r bytes count < <(psql -Atq -F ' ' -d "$db" -c "SELECT pg_database_size(current_database()), count(*) FROM hfj_resource")
  printf '%s\t%s\t%s\t%s\n' "$mode" "#start" "$READY_S" "$rss_start $rss_load $bytes $count" >> "$FIGURES"
}
run_mode baseline "" "${SCENARIOS[@]}"
run_mode equity "" "${SCENARIOS[@]}"

# 5. Each optimization as a before/after pair in this same run: "after" is the equity mode above, "before" the
#    equity mode with only that optimization turned off, on the scenarios it is meant to change.
#    name | what turns it off (a setting, or launch=jar: java -jar on the packaged jar) | scenarios | what it is
OPTIMIZATIONS=(
  "reuse-validators|--equity.ig.reuse-validators=false|create transition ingest|HL7 validators kept in a pool and reused, not built (with a parse of the OID registry) per validation"
  "cds|launch=jar||started unpacked with a class-data sharing archive (server/cds-archive.sh), as the Dockerfile starts it"
)
for o in "${OPTIMIZATIONS[@]}"; do
  IFS='|' read -r name off scenarios what <<< "$o"
  printf '%s\t%s\t%s\t%s\n' "before:$name" "#off" "$off" "$what" >> "$FIGURES"
  # shellcheck disable=SC2086 # the scenarios are words
  run_mode "before:$name" "$off" $scenarios
done

# 6. The table and the chart.
python3 bench/benchmark_report.py "$FIGURES" "$WORK/bundles.txt" "$RESULTS" \
  "size $SIZE: $CLINICIANS clinicians (generator seed $SEED), $PATIENTS Synthea patients, $RESOURCES resources before the run; $USERS clients per scenario ($INGEST_USERS for ingest), $SECONDS_PER s each after a warm-up; heap $HEAP; $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1); PostgreSQL $(psql -Atq -d postgres -c 'SHOW server_version')" \
  "bench/benchmark.sh $SIZE"
log "results: $RESULTS/results.md and $RESULTS/chart.svg"
