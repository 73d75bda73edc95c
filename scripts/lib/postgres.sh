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
# the Unix socket: right for a throwaway cluster in a fresh /tmp folder that listens on no TCP
# port (scripts/test, the benchmarks). scripts/db's lasting one adds galley_cluster_peer_only.
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

# galley_cluster_peer_only DIR: lets only this machine's current user in, over the cluster's
# Unix socket (peer authentication), as the owner "galley" or the app's login role
# "galley_app_login"; nothing over TCP. Rewritten at every start, which also closes a cluster
# made by an older scripts/db that trusted 127.0.0.1. Reloads a running cluster.
galley_cluster_peer_only() {
    local dir=$1 user bindir
    user=$(id -un)
    bindir=$(galley_pg_bindir)
    galley_as_cluster_owner sh -c "cat >'$dir/data/pg_hba.conf'" <<HBA
# Written by scripts/db: the Unix socket only, peer authentication mapped by pg_ident.conf.
local all all peer map=galley
HBA
    galley_as_cluster_owner sh -c "cat >'$dir/data/pg_ident.conf'" <<IDENT
# Written by scripts/db: the OS user $user may log in as the owner or as the app's login role.
galley $user galley
galley $user galley_app_login
IDENT
    if galley_cluster_running "$dir"; then
        galley_as_cluster_owner "$bindir/pg_ctl" -D "$dir/data" reload >/dev/null
    fi
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

# galley_cluster_replica PRIMARY_DIR PRIMARY_PORT DIR PORT [extra server options]: a streaming
# replica of the (socket-only, trusted) cluster in PRIMARY_DIR, copied with pg_basebackup -R
# into DIR/data and started on its own socket in DIR/socket; waits until it accepts connections.
galley_cluster_replica() {
    local primary=$1 primary_port=$2 dir=$3 port=$4 bindir
    shift 4
    bindir=$(galley_pg_bindir)
    mkdir -p "$dir/socket"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
    galley_as_cluster_owner "$bindir/pg_basebackup" -h "$primary/socket" -p "$primary_port" -U galley \
        -D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 || {
        cat "$dir/basebackup.log" >&2
        return 1
    }
    galley_cluster_start "$dir" "$port" '' "$@"
}
