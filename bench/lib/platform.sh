# Shared by the operations benchmarks (bench/faults, bench/soak, bench/scale): a throw-away PostgreSQL + PostGIS cluster
# of their own (never the checkout's, never a server you use), the real API as a process, and an organisation with a key.
# Everything binds to 127.0.0.1 and is stopped by bench_cleanup (installed as an EXIT trap by bench_init).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
API_DLL="$BENCH_ROOT/artifacts/bin/SmartRegion.Api/release/SmartRegion.Api.dll"
CLI_DLL="$BENCH_ROOT/artifacts/bin/SmartRegion.Pipelines/release/SmartRegion.Pipelines.dll"
BENCH_PIDS=()

bench_say() { printf '\033[1m%s:\033[0m %s\n' "${BENCH_NAME:-bench}" "$*" >&2; }
bench_die() { printf '%s: error: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

bench_init() {
  BENCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/smartregion-${BENCH_NAME:-bench}-XXXXXX")"
  chmod 755 "$BENCH_DIR"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  # Builds the solution when sources changed (the entry script's own rule).
  "$BENCH_ROOT/smartregion" help-cli >/dev/null 2>&1 || "$BENCH_ROOT/smartregion" build >/dev/null
  [ -f "$API_DLL" ] && [ -f "$CLI_DLL" ] || bench_die "the build output is missing ($API_DLL)"
  PG_BIN="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin"
  [ -x "$PG_BIN/initdb" ] || bench_die "no PostgreSQL server binaries under /usr/lib/postgresql (run ./smartregion db start once: it installs them)"
}

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# bench_cluster NAME: a fresh cluster in $BENCH_DIR/NAME on a free port; sets PGPORT_<NAME> and DB_<NAME> (connection string).
bench_cluster() {
  local name="$1" dir="$BENCH_DIR/$1" port pw
  port="$(free_port)"; pw="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  mkdir -p "$dir"; echo "$pw" > "$BENCH_DIR/$name.pw"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir" "$BENCH_DIR/$name.pw"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U smartregion --pwfile="$BENCH_DIR/$name.pw" --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$BENCH_DIR/$name.initdb.log" 2>&1 \
    || bench_die "initdb failed ($BENCH_DIR/$name.initdb.log)"
  cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
shared_buffers = '256MB'
synchronous_commit = off
max_connections = 200
wal_level = replica
max_wal_senders = 5
CONF
  printf 'host all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n' > "$dir/data/pg_hba.conf"
  bench_pg_start "$name"
  PGPASSWORD="$pw" "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U smartregion -d postgres -XqAc "CREATE DATABASE smartregion" >/dev/null
  printf -v "PGPORT_$name" '%s' "$port"
  printf -v "DB_$name" '%s' "Host=127.0.0.1;Port=$port;Username=smartregion;Password=$pw;Database=smartregion;Timeout=5"
}

bench_pg_start() { as_pg "$PG_BIN/pg_ctl" -D "$BENCH_DIR/$1/data" -l "$BENCH_DIR/$1/server.log" -w -t 60 start >/dev/null; }
bench_pg_stop() { as_pg "$PG_BIN/pg_ctl" -D "$BENCH_DIR/$1/data" -m "${2:-fast}" -w -t 60 stop >/dev/null; }

# bench_cli CONNECTION ARGS…: the operator CLI against a database.
bench_cli() { local db="$1"; shift; SMARTREGION_DB="$db" dotnet "$CLI_DLL" "$@"; }

# bench_api NAME CONNECTION [ENV=VALUE…]: starts the API on a free port, waits until ready; sets PORT_<NAME>, PID_<NAME>.
bench_api() {
  local name="$1" db="$2"; shift 2
  local port; port="$(free_port)"
  env SMARTREGION_DB="$db" ASPNETCORE_URLS="http://127.0.0.1:$port" Web__Root="$BENCH_ROOT/web" Logging__Format=json \
      Operations__Key="$BENCH_OPERATOR_KEY" Catalog__UploadDirectory="$BENCH_DIR/uploads" "$@" \
      dotnet "$API_DLL" --contentRoot "$(dirname "$API_DLL")" >"$BENCH_DIR/api-$name.log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  local i
  for i in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/healthz/ready" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || bench_die "the API exited; see $BENCH_DIR/api-$name.log"
    sleep 0.2
  done
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
}

# bench_publisher CONNECTION: an organisation, a user and a key with every scope; sets BENCH_KEY and BENCH_ORG.
bench_publisher() {
  BENCH_ORG="bench-org"
  bench_cli "$1" admin create-org --slug "$BENCH_ORG" --name "Benchmark" --kind public_agency >/dev/null
  echo "bench-password-$$" | bench_cli "$1" admin create-user --email bench@example.org --name Bench --password-stdin --org "$BENCH_ORG" --role admin >/dev/null
  BENCH_KEY="$(bench_cli "$1" admin create-key --email bench@example.org --org "$BENCH_ORG" --name bench --scopes read,publish,admin | grep -o 'srk_[A-Za-z0-9_-]*' | head -1)"
  [ -n "$BENCH_KEY" ] || bench_die "could not create a key"
}

bench_memory_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

bench_cleanup() {
  set +e
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${BENCH_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ -n "${BENCH_DIR:-}" ] && [ -d "$BENCH_DIR" ]; then
    local d
    for d in "$BENCH_DIR"/*/data; do [ -f "$d/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1; done
    [ -n "${BENCH_KEEP:-}" ] && bench_say "kept $BENCH_DIR" || rm -rf "$BENCH_DIR"
  fi
}

BENCH_OPERATOR_KEY="bench-operator-key-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
