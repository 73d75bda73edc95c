# Shared by scripts/scale and scripts/cluster: install a Debian package when its program is
# missing, as scripts/lib/postgres.sh installs PostgreSQL. Source it; do not run it.

# galley_ensure_program PROGRAM PACKAGE: PROGRAM on the PATH (or in /usr/sbin), else PACKAGE
# installed from Debian's packages, without starting the service it ships.
galley_ensure_program() {
    local program=$1 package=$2 sudo=""
    if command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ]; then return 0; fi
    echo "galley: installing $package from Debian's packages" >&2
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    # RUNLEVEL=1: the package's maintainer scripts register its service without starting it.
    RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >/dev/null
}
