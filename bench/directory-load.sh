#!/usr/bin/env bash
# Loads a synthetic provider directory for the Twin Cities and Greater Minnesota through the FHIR API, as
# transaction Bundles, with a progress line (docs/directory.md says what is generated).
#
# Usage: bench/directory-load.sh [clinicians=1000] [--demo] [--base URL] [--db h2|postgres] [--seed S]
#   bench/directory-load.sh 10000              starts the server on a fresh H2 database, loads, stops it
#   bench/directory-load.sh 10000 --db postgres   the same on a throwaway PostgreSQL database
#   bench/directory-load.sh --demo --keep      the demo set only; the server keeps running (Ctrl-C stops it)
#   bench/directory-load.sh 1000 --demo --base http://localhost:8080/fhir   into a running server
# With --demo and no count, only the demo set is loaded. With --base nothing is started or stopped.
# Needs: Java 17 and Maven (to build the server jar once), curl; for postgres, PostgreSQL on localhost:5432
#   as user postgres (a database equity_directory_<timestamp> is created and, unless --keep, dropped).
# Environment (optional): JAR (the server jar, default server/target/equity-fhir-server.jar; a copy keeps a
#   long load safe from a rebuild), PORT (default 18192), JAVA_OPTS (default -Xmx4g), THREADS (Bundles posted at
#   once, default 2), BUNDLE_SIZE (clinicians per Bundle, default 150), EQUITY_TOKEN (with --base: a bearer token
#   allowed to write the directory, e.g. a directory-admin's; without --base the script registers its own client).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=
DEMO=
BASE=
DB=h2
SEED=2026
KEEP=
while [ $# -gt 0 ]; do
  case $1 in
    --demo) DEMO=--demo ;;
    --keep) KEEP=1 ;;
    --base) BASE=$2; shift ;;
    --db) DB=$2; shift ;;
    --seed) SEED=$2; shift ;;
    [0-9]*) COUNT=$1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unexpected argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $DB in h2|postgres) ;; *) echo "db must be h2 or postgres" >&2; exit 2 ;; esac
[ -n "$COUNT" ] || { [ -n "$DEMO" ] && COUNT=0 || COUNT=1000; }
PORT=${PORT:-18192}
JAVA_OPTS=${JAVA_OPTS:--Xmx4g}
JAR=${JAR:-server/target/equity-fhir-server.jar}
GENERATOR=(java bench/directory/DirectoryGenerator.java --clinicians "$COUNT" --seed "$SEED"
  --threads "${THREADS:-2}" --bundle-size "${BUNDLE_SIZE:-150}" --places bench/directory/mn-places.csv $DEMO)

if [ -n "$BASE" ]; then
  exec "${GENERATOR[@]}" --base "$BASE"
fi

WORK=$(mktemp -d /tmp/directory-load.XXXXXX)
PID=
PGDB=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PGDB" ] && [ -z "$KEEP" ]; then psql -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" || true; fi
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$JAR" ] || mvn -B -q -DskipTests package
source bench/bench-client.sh
BENCH_DIR="$WORK"
BENCH_ROLE=directory-admin
ARGS=(--server.port="$PORT" --equity.ig.enforce=true --equity.security.clients-file="$(bench_clients_file "$WORK")")
if [ "$DB" = postgres ]; then
  PGDB=equity_directory_$(date +%Y%m%d%H%M%S)
  psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE $PGDB"
  ARGS+=(--equity.db.url="jdbc:postgresql://localhost:5432/$PGDB" --equity.db.username=postgres)
else
  ARGS+=(--equity.db.data-dir="$WORK/h2")
fi
echo "Starting the server on $DB: java $JAVA_OPTS -jar $JAR ${ARGS[*]}"
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

"${GENERATOR[@]}" --base "http://localhost:$PORT/fhir" --token "$(bench_token "http://localhost:$PORT")"
# Statistics for the planner, as autovacuum would gather them (it may be off; see docs/benchmarks.md).
[ -z "$PGDB" ] || psql -q -h localhost -U postgres -d "$PGDB" -c "ANALYZE"
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(java -version 2>&1 | head -1); database: $DB"
if [ -n "$KEEP" ]; then
  echo "The server keeps running at http://localhost:$PORT/fhir (log: $WORK/server.log${PGDB:+, database $PGDB}); Ctrl-C stops it"
  wait "$PID"
fi
