#!/usr/bin/env bash
# A cluster in one command: N instances of the packaged jar on one PostgreSQL, behind HAProxy
# (round-robin, health-checked on readiness). docs/operations.md explains each step; the fault tests
# (ClusterFaultsPostgresIT) drive the cluster through this script, so what it does is what they prove.
#
#   bench/cluster.sh up N             start instances 1..N (those not running) and the balancer over N
#   bench/cluster.sh down             stop every instance (gracefully) and the balancer
#   bench/cluster.sh status           each instance: pid, port, readiness; the balancer's view
#   bench/cluster.sh start I          start instance I and wait until it is ready
#   bench/cluster.sh stop I           drain instance I at the balancer, then stop it gracefully (SIGTERM)
#   bench/cluster.sh kill I           kill -9 instance I (a crash: nothing is drained, nothing is flushed)
#   bench/cluster.sh pid I            the process id of instance I
#   bench/cluster.sh inflight I       requests the balancer has in flight at instance I
#   bench/cluster.sh rolling-restart  one instance at a time: drain, stop, start, wait ready, enable
#   bench/cluster.sh db up|restart|down|url
#                                     a private PostgreSQL for the cluster (tests; restarting it is one of
#                                     the fault tests); without it the cluster uses EQUITY_DB_URL
#
# Settings (environment):
#   CLUSTER_DIR        run folder: logs, pids, haproxy.cfg            (default /tmp/equity-cluster)
#   CLUSTER_BASE_PORT  instance I listens on BASE_PORT+I-1            (default 8081)
#   CLUSTER_LB_PORT    the balancer's port                            (default 8080)
#   CLUSTER_LB_BIND    the balancer's address                         (default 127.0.0.1)
#   CLUSTER_HEAP       each instance's -Xmx                           (default 1g)
#   CLUSTER_DB_PORT    the private PostgreSQL's port                  (default 55432)
#   CLUSTER_SERVER_ARGS  more arguments for every instance (e.g. --equity.referral.lease=10s)
#   JAR                the packaged server                            (default server/target/equity-fhir-server.jar)
#   EQUITY_DB_URL, EQUITY_DB_USERNAME, EQUITY_DB_PASSWORD, EQUITY_DB_MAX_POOL_SIZE and every other
#   EQUITY_* setting of the README pass through to the instances. Without EQUITY_DB_URL the cluster uses
#   the private database if it is up, else jdbc:postgresql://localhost:5432/equity_cluster (created if absent).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR=${CLUSTER_DIR:-/tmp/equity-cluster}
BASE_PORT=${CLUSTER_BASE_PORT:-8081}
LB_PORT=${CLUSTER_LB_PORT:-8080}
LB_BIND=${CLUSTER_LB_BIND:-127.0.0.1}
ADMIN_PORT=${CLUSTER_ADMIN_PORT:-$((LB_PORT + 1000))}
HEAP=${CLUSTER_HEAP:-1g}
DB_PORT=${CLUSTER_DB_PORT:-55432}
JAR=${JAR:-$ROOT/server/target/equity-fhir-server.jar}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DATA=$DIR/pgdata
mkdir -p "$DIR"
chmod 755 "$DIR"

say() { echo "cluster: $*" >&2; }
port_of() { echo $((BASE_PORT + $1 - 1)); }
pid_of() { cat "$DIR/server-$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
ready() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$(port_of "$1")/actuator/health/readiness"; }
count() { cat "$DIR/size" 2>/dev/null || echo 0; }

# ---- the private PostgreSQL (run as the postgres user when we are root: PostgreSQL refuses root) ----
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
db() {
  case "$1" in
    up)
      if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        mkdir -p "$PG_DATA"
        [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA"
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
        # Room for several instances' pools (each EQUITY_DB_MAX_POOL_SIZE, 10 by default).
        printf "listen_addresses='127.0.0.1'\nport=%s\nmax_connections=200\nunix_socket_directories='%s'\n" \
          "$DB_PORT" "$PG_DATA" >> "$PG_DATA/postgresql.conf"
      fi
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w status >/dev/null 2>&1 \
        || as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w start >/dev/null
      as_pg "$PG_BIN/psql" -q -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname='equity'" \
        | grep -q 1 || as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$DB_PORT" -U postgres equity
      say "private PostgreSQL up on 127.0.0.1:$DB_PORT"
      ;;
    restart)
      # -m fast: the way an operator restarts PostgreSQL; every open connection is closed.
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -m fast restart >/dev/null
      say "private PostgreSQL restarted"
      ;;
    stop)
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -m fast stop >/dev/null
      say "private PostgreSQL stopped"
      ;;
    start)
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w start >/dev/null
      say "private PostgreSQL started"
      ;;
    down)
      [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -m immediate stop >/dev/null 2>&1 || true
      rm -rf "$PG_DATA"
      say "private PostgreSQL removed"
      ;;
    url) echo "jdbc:postgresql://127.0.0.1:$DB_PORT/equity" ;;
    *) echo "usage: $0 db up|restart|stop|start|down|url" >&2; exit 2 ;;
  esac
}

database_settings() {
  if [ -n "${EQUITY_DB_URL:-}" ]; then return; fi
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    export EQUITY_DB_URL; EQUITY_DB_URL=$(db url)
    export EQUITY_DB_USERNAME=postgres
  else
    psql -q -h localhost -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname='equity_cluster'" | grep -q 1 \
      || psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE equity_cluster"
    export EQUITY_DB_URL=jdbc:postgresql://localhost:5432/equity_cluster
    export EQUITY_DB_USERNAME=${EQUITY_DB_USERNAME:-postgres}
  fi
}

# ---- the balancer ----
lb() { # one command on HAProxy's admin socket
  exec 3<>"/dev/tcp/127.0.0.1/$ADMIN_PORT"
  printf '%s\n' "$1" >&3
  cat <&3
  exec 3<&-
}
inflight() { lb_field "$1" 5; }
lb_field() { # instance, field number of "show stat" (5 = current sessions, 18 = status)
  lb "show stat" | awk -F, -v s="s$1" -v f="$2" '$1 == "instances" && $2 == s {print $f}'
}
lb_write_config() {
  local n=$1 servers=""
  for i in $(seq 1 "$n"); do servers+="  server s$i 127.0.0.1:$(port_of "$i") check"$'\n'; done
  sed -e "s/@ADMIN_PORT@/$ADMIN_PORT/" -e "s/@LB_PORT@/$LB_PORT/" -e "s/@BIND@/$LB_BIND/" -e "s#@ERRORS@#$ROOT/bench/cluster/errors#" \
    -e "/@SERVERS@/{r /dev/stdin" -e "d}" "$ROOT/bench/cluster/haproxy.cfg" <<< "$servers" > "$DIR/haproxy.cfg"
}
lb_start() { # (re)starts HAProxy over n instances; a running one hands over without dropping connections
  command -v haproxy >/dev/null || { say "haproxy is missing: apt-get install haproxy"; exit 1; }
  lb_write_config "$1"
  local old; old=$(cat "$DIR/haproxy.pid" 2>/dev/null || true)
  if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
    haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid" -sf "$old" < /dev/null >> "$DIR/haproxy.log" 2>&1
  else
    haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid" < /dev/null >> "$DIR/haproxy.log" 2>&1
  fi
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$ADMIN_PORT") 2>/dev/null && break; sleep 0.1; done
  say "balancer on $LB_BIND:$LB_PORT over $1 instance(s)"
}
lb_wait() { # instance, UP|DOWN|MAINT|DRAIN: waits until the balancer sees it so (60 s at most)
  for _ in $(seq 1 120); do
    case "$(lb_field "$1" 18)" in "$2"*) return 0 ;; esac
    sleep 0.5
  done
  say "instance $1 is $(lb_field "$1" 18) at the balancer, not $2"; return 1
}

# ---- instances ----
start_one() {
  local i=$1 port; port=$(port_of "$i")
  if alive "$i"; then say "instance $i already runs (pid $(pid_of "$i"))"; return; fi
  database_settings
  export EQUITY_SERVER_PUBLIC_BASE_URL=${EQUITY_SERVER_PUBLIC_BASE_URL:-http://localhost:$LB_PORT/fhir}
  # shellcheck disable=SC2086
  nohup java "-Xmx$HEAP" ${CLUSTER_JAVA_OPTS:-} -jar "$JAR" --server.port="$port" ${CLUSTER_SERVER_ARGS:-} \
    >> "$DIR/server-$i.log" 2>&1 < /dev/null &
  echo $! > "$DIR/server-$i.pid"
  say "instance $i starting on port $port (pid $!)"
}
wait_ready() {
  local i=$1
  for _ in $(seq 1 600); do
    ready "$i" && { say "instance $i ready"; return 0; }
    alive "$i" || { say "instance $i exited while starting:"; tail -40 "$DIR/server-$i.log" >&2; return 1; }
    sleep 0.5
  done
  say "instance $i not ready after 5 min"; return 1
}
stop_one() { # graceful: drained first, so nothing in flight is cut
  local i=$1 pid; pid=$(pid_of "$i")
  if [ -f "$DIR/haproxy.pid" ] && [ "$i" -le "$(count)" ]; then
    lb "set server instances/s$i state drain" >/dev/null
    for _ in $(seq 1 60); do [ "$(lb_field "$i" 5)" = 0 ] && break; sleep 0.5; done
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "instance $i did not stop in 60 s: killing it"; kill -9 "$pid"; }
  fi
  rm -f "$DIR/server-$i.pid"
  say "instance $i stopped"
}
enable_one() { # back in the balancer's rotation once its checks pass
  local i=$1
  if [ -f "$DIR/haproxy.pid" ] && [ "$i" -le "$(count)" ]; then
    lb "set server instances/s$i state ready" >/dev/null
    lb_wait "$i" UP
  fi
}

case "${1:-}" in
  up)
    n=${2:?usage: $0 up N}
    [ -f "$JAR" ] || { say "no $JAR: build it with mvn -B -DskipTests package"; exit 1; }
    for i in $(seq 1 "$n"); do start_one "$i"; done
    for i in $(seq 1 "$n"); do wait_ready "$i"; done
    echo "$n" > "$DIR/size"
    lb_start "$n"
    for i in $(seq 1 "$n"); do lb_wait "$i" UP; done
    say "up: http://localhost:$LB_PORT/fhir ($n instances)"
    ;;
  down)
    for f in "$DIR"/server-*.pid; do [ -e "$f" ] || continue; i=${f##*/server-}; stop_one "${i%.pid}"; done
    if [ -f "$DIR/haproxy.pid" ]; then kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true; rm -f "$DIR/haproxy.pid"; fi
    rm -f "$DIR/size"
    say "down"
    ;;
  status)
    for i in $(seq 1 "$(count)"); do
      state=stopped; alive "$i" && state=running; ready "$i" && state=ready
      printf 'instance %s  port %s  pid %s  %s  balancer: %s\n' "$i" "$(port_of "$i")" "$(pid_of "$i")" "$state" \
        "$( [ -f "$DIR/haproxy.pid" ] && lb_field "$i" 18 || echo none)"
    done
    ;;
  start) start_one "${2:?}"; wait_ready "$2"; enable_one "$2" ;;
  stop) stop_one "${2:?}" ;;
  kill)
    pid=$(pid_of "${2:?}")
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    rm -f "$DIR/server-$2.pid"
    say "instance $2 killed (pid $pid)"
    ;;
  pid) pid_of "${2:?}" ;;
  inflight) inflight "${2:?}" ;;
  rolling-restart)
    for i in $(seq 1 "$(count)"); do
      stop_one "$i"
      start_one "$i"
      wait_ready "$i"
      enable_one "$i"
    done
    say "rolling restart done"
    ;;
  db) db "${2:-}" ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
