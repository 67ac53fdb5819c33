#!/usr/bin/env bash
# Throughput of a fixed mix with 1, 2 and 3 instances on one PostgreSQL, in one run (issue 18).
# The cluster is bench/cluster.sh's (HAProxy in front, even for one instance); the load is Gatling's
# (bench/gatling, scenario ClusterMix: create a Patient, search Patients, refer in a transaction, accept
# the Task), a closed model of USERS virtual users for SECONDS, after a 20 s warm-up at each size.
# Beside the figures it records where the CPU went (PostgreSQL, the instances, everything else), the
# database connections in use and how often a backend waited on a lock.
# Usage: bench/cluster-throughput.sh [sizes="1 2 3"] [users=6] [seconds=60]
# Needs: the jar (mvn -B -DskipTests package), PostgreSQL on localhost:5432 (user postgres), haproxy, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-1 2 3}
USERS=${2:-6}
SECONDS_PER_RUN=${3:-60}
export CLUSTER_DIR=${CLUSTER_DIR:-/tmp/equity-throughput}
export CLUSTER_LB_PORT=${CLUSTER_LB_PORT:-18380}
export CLUSTER_BASE_PORT=${CLUSTER_BASE_PORT:-18381}
export CLUSTER_HEAP=${CLUSTER_HEAP:-1g}
LB="http://localhost:$CLUSTER_LB_PORT"
DB=equity_throughput
OUT=${OUT:-bench/results/cluster-throughput-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
psql_() { psql -q -At -h localhost -U postgres "$@"; }

source bench/bench-client.sh
BENCH_DIR=$(mktemp -d)
export EQUITY_SECURITY_CLIENTS_FILE; EQUITY_SECURITY_CLIENTS_FILE=$(bench_clients_file "$BENCH_DIR")
export EQUITY_SECURITY_TOKEN_LIFETIME=2h
export EQUITY_DB_URL="jdbc:postgresql://localhost:5432/$DB" EQUITY_DB_USERNAME=postgres
psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
psql_ -d postgres -c "CREATE DATABASE $DB"
cleanup() {
  bench/cluster.sh down || true
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
mvn -B -q -f bench/gatling/pom.xml test-compile

cpu() { # CPU seconds so far of: postgres processes, the instances, the whole machine (busy time, /proc/stat)
  local instances="" pid
  for i in $(seq 1 3); do pid=$(bench/cluster.sh pid "$i"); [ -n "$pid" ] && instances+=" $pid"; done
  local machine; machine=$(awk -v hz="$(getconf CLK_TCK)" '/^cpu / {print int(($2 + $3 + $4 + $7 + $8 + $9) / hz)}' /proc/stat)
  ps -eo pid=,comm=,times= | awk -v inst="$instances" -v machine="$machine" 'BEGIN {n = split(inst, a, " "); for (i = 1; i <= n; i++) own[a[i]] = 1}
    $2 == "postgres" {pg += $3} ($1 in own) {srv += $3} END {print pg + 0, srv + 0, machine}'
}
gatling() { # seconds, results folder
  mvn -B -q -f bench/gatling/pom.xml gatling:test -Dgatling.simulationClass=org.equityfhir.bench.ClusterMix \
    -Dgatling.resultsFolder="$2" -Dbase="$LB" -Dtoken="$TOKEN" -Dusers="$USERS" -Dseconds="$1" \
    -Dshelf="$SHELF" -Dclinic="$CLINIC" > "$2.log" 2>&1 || { tail -40 "$2.log"; exit 1; }
}

echo "| instances | requests/s | ratio to 1 | p50 ms | p95 ms | p99 ms | failed | PostgreSQL CPU | instances' CPU | other CPU | connections | lock waits (samples) |" > "$OUT/results.md"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |" >> "$OUT/results.md"
BASELINE=""
for n in $SIZES; do
  bench/cluster.sh up "$n"
  if [ -z "${TOKEN:-}" ]; then
    TOKEN=$(bench_token "$LB")
    org() { curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/fhir+json' -D - -o /dev/null \
      "$LB/fhir/Organization" -d "{\"resourceType\":\"Organization\",\"active\":true,\"name\":\"$1\"}" \
      | tr -d '\r' | sed -n 's#^[Ll]ocation: .*/fhir/\(Organization/[^/]*\)/_history.*#\1#p'; }
    SHELF=$(org "Throughput Food Shelf")
    CLINIC=$(org "Throughput Clinic")
  fi
  gatling 20 "$OUT/warmup-$n"
  read -r pg0 srv0 all0 < <(cpu)
  : > "$OUT/locks-$n"
  ( while true; do psql_ -d "$DB" -c "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity WHERE datname = '$DB'" >> "$OUT/locks-$n" 2>/dev/null || true; sleep 1; done ) &
  SAMPLER=$!
  gatling "$SECONDS_PER_RUN" "$OUT/run-$n"
  kill "$SAMPLER" 2>/dev/null || true
  read -r pg1 srv1 all1 < <(cpu)
  python3 - "$OUT/run-$n.log" "$n" "$BASELINE" "$((pg1 - pg0))" "$((srv1 - srv0))" "$((all1 - all0))" "$OUT/locks-$n" >> "$OUT/results.md" <<'PY'
import re, sys
# Gatling's own summary of the run (its "Global Information" table), as printed at the end
text = open(sys.argv[1]).read()
text = text[text.rindex("---- Global Information"):]
def figure(label, column=0):
    line = next(l for l in text.splitlines() if l.startswith("> " + label))
    return line.split("|")[1 + column].strip().replace(",", "")
n, baseline = sys.argv[2], sys.argv[3]
pg, srv, total = (int(x) for x in sys.argv[4:7])
rate = float(figure("mean throughput"))
ratio = "1.00" if not baseline else "%.2f" % (rate / float(baseline))
other = max(total - pg - srv, 0)
share = lambda x: "%d%%" % round(100 * x / total) if total else "-"
locks = [tuple(int(v) for v in line.split("|")) for line in open(sys.argv[7]) if "|" in line]
waits = sum(1 for w, _ in locks if w > 0)
conns = max((c for _, c in locks), default=0)
ko = figure("request count", 2)
print("| %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d of %d |" % (n, rate, ratio,
      figure("response time 50th percentile"), figure("response time 95th percentile"), figure("response time 99th percentile"),
      ko, share(pg), share(srv), share(other), conns, waits, len(locks)))
if not baseline:
    open(sys.argv[7] + ".rate", "w").write(str(rate))
PY
  [ -z "$BASELINE" ] && BASELINE=$(cat "$OUT/locks-$n.rate")
done
{
  echo
  echo "Mix: create Patient, search Patient, refer (ServiceRequest + Task transaction), accept Task; $USERS users (closed), ${SECONDS_PER_RUN} s per size after a 20 s warm-up; through HAProxy."
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; each instance -Xmx$CLUSTER_HEAP, pool ${EQUITY_DB_MAX_POOL_SIZE:-10}; $(psql_ -d postgres -c 'SHOW server_version'), max_connections $(psql_ -d postgres -c 'SHOW max_connections')."
  echo "CPU shares are of the machine's busy CPU time during the measured run (/proc/stat); 'other' is mostly the load generator (Gatling) and HAProxy."
} >> "$OUT/results.md"
cat "$OUT/results.md"
