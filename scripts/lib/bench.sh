# Shared by scripts/bench, scripts/bench-domain, scripts/bench-cli and scripts/bench-scale: a
# release build, a throwaway cluster (fsync off) removed on every exit path, wrk's runs, and
# small helpers. Source it after scripts/lib/postgres.sh; do not run it.

# bench_build NAME: a release build of every product; sets $bin to the folder of the binaries.
bench_build() {
    echo "$1: building (release)" >&2
    swift build -c release >&2
    bin=$(swift build -c release --show-bin-path)
}

# bench_cluster NAME [extra server options]: starts a throwaway cluster, exports PG* for it,
# creates the database "bench", and arranges for the cluster (and any process whose pid is
# in $bench_pids) to be stopped and removed on exit. Sets $cluster and $bindir.
bench_pids=()
bench_cluster() {
    local name=$1
    shift
    bindir=$(galley_pg_bindir)
    cluster=$(mktemp -d "/tmp/galley-$name.XXXXXX")
    chmod 755 "$cluster"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    galley_cluster_init "$cluster"
    galley_cluster_start "$cluster" 5432 '' -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=100 -c shared_buffers=256MB "$@"
    unset DATABASE_URL PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGHOSTADDR PGSSLMODE PGOPTIONS
    export PGHOST="$cluster/socket" PGPORT=5432 PGUSER=galley PGDATABASE=bench
    "$bindir/createdb" bench
}

bench_cleanup() {
    local pid
    for pid in "${bench_pids[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    [ -n "${cluster:-}" ] || return 0
    # BENCH_KEEP=DIR keeps the run's logs and outputs (server log, wrk and pgbench output).
    if [ -n "${BENCH_KEEP:-}" ]; then
        mkdir -p "$BENCH_KEEP"
        find "$cluster" -maxdepth 1 -type f -exec cp {} "$BENCH_KEEP/" \; 2>/dev/null || true
    fi
    galley_cluster_stop "$cluster"
    rm -rf "$cluster"
}

# bench_psql SQL…: runs SQL quietly, stopping at the first error.
bench_psql() {
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

# bench_pgbench_tps LOG: the tps of a pgbench run, without connection time.
bench_pgbench_tps() {
    awk '/^tps = / && !/including/ { rate = $3 } END { print rate }' "$1"
}

# bench_load: prints the load average and the busiest processes, for the record.
bench_load() {
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
}

# bench_json KEY JSON: a number from a one-line JSON object.
bench_json() {
    sed -n "s/.*\"$1\": *\\([0-9.eE+-]*\\).*/\\1/p" <<<"$2"
}

# bench_positive NAME VALUE: refuses anything but a whole number above zero.
bench_positive() {
    if ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
        echo "$1 must be a whole number above zero, not '$2'" >&2
        exit 2
    fi
}

# server_cpu_ticks: the CPU time (user and system, in clock ticks) the process $server has used so far.
server_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$server/stat"
}
# wrk_run NAME WRK-ARGS…: runs wrk ($threads threads, $connections connections, $seconds s) and
# leaves its output in $cluster/NAME.wrk and the server's CPU ticks over the run in
# $cluster/NAME.cpu; prints the load and the peak RSS of the process $server.
wrk_run() {
    local name=$1
    shift
    bench_load
    # The arguments hold a token: show them up to "--" or the header, not beyond.
    local shown=() arg
    for arg in "$@"; do
        case $arg in --|Authorization:*|Cookie:*) shown+=("…"); break ;; esac
        shown+=("$arg")
    done
    echo "bench: $name: wrk -t$threads -c$connections -d${seconds}s --latency ${shown[*]}" >&2
    local cpu_before
    cpu_before=$(server_cpu_ticks)
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@" >"$cluster/$name.wrk"
    echo $(($(server_cpu_ticks) - cpu_before)) >"$cluster/$name.cpu"
    echo "bench: $name: server peak RSS so far $(awk '/^VmHWM:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server/status")" >&2
}

# wrk_field FILE: "rate p50_ms p99_ms errors" from wrk's output.
wrk_field() {
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rate = $2 }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { errors = $5 }
        /Socket errors:/ { errors += 0 }
        END { printf "%s %.2f %.2f %d\n", rate, p50, p99, errors }' "$1"
}

# bench_ensure_wrk: installs wrk and checks for curl.
bench_ensure_wrk() {
    if ! command -v wrk >/dev/null; then
        # A new machine's package lists are empty until updated.
        echo "bench: installing wrk" >&2
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
    fi
    command -v curl >/dev/null || { echo "bench: curl is needed" >&2; exit 1; }
}
