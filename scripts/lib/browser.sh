# Shared by scripts/browser-test (and scripts/test once it runs the browser tests): find or
# install what a real-browser test needs. Source it; do not run it.

# Debian's chromium and its driver, and Selenium (pinned) with pytest from PyPI, each
# installed only when missing; silent when all are there. Selenium 4.51.0 is the newest whose
# dependencies PyPI here can satisfy (4.52 and 4.53 want a certifi it does not have).
galley_ensure_browser() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        echo "galley: installing chromium and chromium-driver from Debian's packages" >&2
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
    if ! python3 -c 'import selenium, sys; sys.exit(selenium.__version__ != "4.51.0")' 2>/dev/null; then
        echo "galley: installing selenium 4.51.0 from PyPI" >&2
        python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore selenium==4.51.0 >&2
    fi
    if ! python3 -m pytest --version >/dev/null 2>&1; then
        echo "galley: installing pytest from PyPI" >&2
        python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pytest >&2
    fi
}
