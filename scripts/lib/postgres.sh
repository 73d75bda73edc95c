# Shared by scripts/db, scripts/run and scripts/test: find or install PostgreSQL, and
# create, start and stop a private cluster in a folder of ours. Source it; do not run it.

# Installs PostgreSQL (server and libpq headers) from Debian's packages when missing.
galley_ensure_postgres() {
    if [ -x "$(galley_pg_bindir 2>/dev/null)/initdb" ] && pkg-config --exists libpq 2>/dev/null; then
        return 0
    fi
    echo "galley: installing PostgreSQL and libpq from Debian's packages" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql libpq-dev pkg-config >/dev/null
}

# The folder of initdb, pg_ctl and pgbench.
galley_pg_bindir() {
    local dir
    dir=$(pg_config --bindir 2>/dev/null)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    return 1
}

# PostgreSQL refuses to run as root; as root, run its programs as the postgres user.
galley_as_cluster_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# galley_cluster_init DIR: a new cluster in DIR/data whose superuser is "galley", trusted on
# the Unix socket and on loopback (the cluster is private to this machine).
galley_cluster_init() {
    local dir=$1 bindir
    bindir=$(galley_pg_bindir)
    mkdir -p "$dir/data" "$dir/socket"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
    galley_as_cluster_owner "$bindir/initdb" -D "$dir/data" -U galley --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        return 1
    }
}

# galley_cluster_start DIR PORT LISTEN [extra server options]: starts it and waits until it
# accepts connections. LISTEN is '' for the Unix socket only, or 127.0.0.1.
galley_cluster_start() {
    local dir=$1 port=$2 listen=$3 bindir
    shift 3
    bindir=$(galley_pg_bindir)
    galley_as_cluster_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k '$dir/socket' -p $port -c listen_addresses='$listen' $*" start >/dev/null || {
        tail -n 20 "$dir/server.log" >&2
        return 1
    }
}

galley_cluster_stop() {
    local dir=$1 bindir
    bindir=$(galley_pg_bindir)
    galley_as_cluster_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

galley_cluster_running() {
    local dir=$1 bindir
    bindir=$(galley_pg_bindir)
    galley_as_cluster_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}
