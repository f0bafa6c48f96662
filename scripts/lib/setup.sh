# shellcheck shell=bash
# Shared set-up for scripts/run, scripts/test, scripts/lint and scripts/bench/run.
# Source it; it defines functions and never changes the caller's options.

CITY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CITY_VENV="${CITY_VENV:-$CITY_ROOT/.venv}"
CITY_CONF="${CITY_CONF:-$CITY_ROOT/odoo.conf}"
CITY_VAR="$CITY_ROOT/var"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
ODOO_CACHE_DIR="${ODOO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/city-odoo/odoo-18.0}"

say() { printf '\033[1;34m[city]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31m[city] error:\033[0m %s\n' "$*" >&2
    exit 1
}

# --- Odoo source -----------------------------------------------------------

# Prints "ok" when $1 is an Odoo 18.0 source tree (checkout or sdist).
_odoo_tree_ok() {
    local src="$1"
    [ -f "$src/odoo/release.py" ] || return 1
    grep -Eq '^version_info = \(18, 0,' "$src/odoo/release.py"
}

_odoo_from_python() {
    local py
    for py in python3.12 python3.11 python3.10 python3; do
        command -v "$py" >/dev/null 2>&1 || continue
        "$py" - <<'EOF' 2>/dev/null && return 0
import os, sys
import odoo.release as r
if tuple(r.version_info[:2]) != (18, 0):
    sys.exit(1)
print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))
EOF
    done
    return 1
}

# Sets ODOO_SRC to an Odoo 18.0 source tree, or stops with what to do.
find_odoo() {
    local candidate
    if [ -n "${ODOO_SRC:-}" ]; then
        _odoo_tree_ok "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (odoo/release.py must say version_info = (18, 0, ...))."
        export ODOO_SRC
        return
    fi
    for candidate in "$CITY_ROOT/../odoo" "$CITY_ROOT/../odoo18" "$CITY_ROOT/../odoo-18.0" /opt/odoo18 /opt/odoo-18.0 /opt/odoo /opt/odoo*/ "$ODOO_CACHE_DIR"; do
        candidate="${candidate%/}"
        if [ -d "$candidate" ] && _odoo_tree_ok "$candidate"; then
            ODOO_SRC="$(cd "$candidate" && pwd)"
            export ODOO_SRC
            return
        fi
    done
    if candidate="$(_odoo_from_python)" && _odoo_tree_ok "$candidate"; then
        ODOO_SRC="$candidate"
        export ODOO_SRC
        return
    fi
    if command -v git >/dev/null 2>&1 && git ls-remote --heads "$ODOO_GIT_URL" 18.0 >/dev/null 2>&1; then
        say "downloading Odoo 18.0 source into $ODOO_CACHE_DIR (once)"
        mkdir -p "$(dirname "$ODOO_CACHE_DIR")"
        git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$ODOO_CACHE_DIR" ||
            die "could not clone $ODOO_GIT_URL"
        _odoo_tree_ok "$ODOO_CACHE_DIR" || die "$ODOO_CACHE_DIR is not Odoo 18.0"
        ODOO_SRC="$ODOO_CACHE_DIR"
        export ODOO_SRC
        return
    fi
    die "Odoo 18.0 source not found. Put an Odoo 18.0 Community source tree in /opt/odoo18 (or beside this project as ../odoo), or set ODOO_SRC=/path/to/odoo-18.0, or run with internet access so it can be cloned from $ODOO_GIT_URL."
}

# Odoo core addons directories for the tree in ODOO_SRC (checkout or sdist layout).
odoo_addons_path() {
    local path="$ODOO_SRC/odoo/addons"
    [ -d "$ODOO_SRC/addons" ] && path="$ODOO_SRC/addons,$path"
    printf '%s,%s\n' "$path" "$CITY_ROOT/addons"
}

# Every addon of the project, comma separated.
city_addons() {
    local d names=()
    for d in "$CITY_ROOT"/addons/*/__manifest__.py; do
        [ -f "$d" ] || continue
        names+=("$(basename "$(dirname "$d")")")
    done
    local IFS=,
    printf '%s\n' "${names[*]}"
}

# Every addon the demo city and the test database install: the project's own, plus Odoo's demo
# payment provider so that online card top-ups can be tried and tested without a real acquirer.
install_addons() {
    printf '%s,payment_demo\n' "$(city_addons)"
}

# --- system packages ---------------------------------------------------------

_apt_install() {
    # Installs Debian packages when this machine allows it; returns 1 otherwise.
    local sudo=""
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
        sudo="sudo -n"
    fi
    say "installing system packages: $*"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 && return 0
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

# ensure_system_packages [pkg...] : Debian packages Odoo and the project need.
ensure_system_packages() {
    local want=(libpq-dev libldap2-dev libsasl2-dev wkhtmltopdf fonts-noto-cjk "$@") missing=() p
    command -v dpkg-query >/dev/null 2>&1 || {
        say "not a Debian system: make sure these are installed: ${want[*]}"
        return 0
    }
    for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    _apt_install "${missing[@]}" ||
        die "missing system packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) and run again."
}

# --- Python environment ------------------------------------------------------

_pick_python() {
    local py
    for py in ${CITY_PYTHON:-} python3.11 python3.12 python3.10 python3; do
        command -v "$py" >/dev/null 2>&1 || continue
        if "$py" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' 2>/dev/null; then
            printf '%s\n' "$py"
            return 0
        fi
    done
    return 1
}

# Creates .venv and installs Odoo's and the project's requirements; skipped when unchanged.
ensure_venv() {
    local py stamp want
    py="$(_pick_python)" || die "Odoo 18 needs Python 3.10 to 3.12; install one (e.g. apt-get install python3 python3-venv python3-dev)."
    want="$( (cat "$ODOO_SRC/requirements.txt" "$CITY_ROOT/requirements.txt"; "$py" --version; echo "$ODOO_SRC"; echo env-2) | sha256sum | cut -c1-32)"
    stamp="$CITY_VENV/.city-requirements"
    if [ -x "$CITY_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "preparing the Python environment in $CITY_VENV"
    [ -x "$CITY_VENV/bin/python" ] || "$py" -m venv "$CITY_VENV" || die "could not create a virtual environment with $py (install python3-venv)"
    local constraint="$CITY_VENV/build-constraints.txt"
    # cbor2==5.4.2 (pinned by Odoo for Python < 3.12) only builds with setuptools < 70. pip before
    # 25.3 applies PIP_CONSTRAINT to isolated build environments; newer pip reads
    # PIP_BUILD_CONSTRAINT instead (older ones ignore it), so both are set.
    printf 'setuptools<70\n' >"$constraint"
    PIP_CONSTRAINT="$constraint" PIP_BUILD_CONSTRAINT="$constraint" "$CITY_VENV/bin/pip" install -q --upgrade \
        pip wheel 'setuptools<70' || die "pip could not install its build tools"
    PIP_CONSTRAINT="$constraint" PIP_BUILD_CONSTRAINT="$constraint" "$CITY_VENV/bin/pip" install -q \
        -r "$ODOO_SRC/requirements.txt" \
        -r "$CITY_ROOT/requirements.txt" || die "pip could not install the requirements (see above)"
    # The environment itself then gets a current setuptools: gevent (Odoo's websocket worker) loads
    # its plugins through pkg_resources, and the one of setuptools < 70 does not find distributions
    # installed under normalised names (zope_interface-*.dist-info), so the worker would not start.
    "$CITY_VENV/bin/pip" install -q 'setuptools>=70,<81' || die "pip could not update setuptools"
    # Make the Odoo source importable from the environment without copying it.
    local site
    site="$("$CITY_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    printf '%s\n' "$ODOO_SRC" >"$site/city-odoo-src.pth"
    printf '%s\n' "$want" >"$stamp"
}

# --- PostgreSQL -------------------------------------------------------------

_conf_value() {
    # _conf_value key : value of key in odoo.conf (empty when unset or False)
    local v
    v="$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CITY_CONF" 2>/dev/null | tail -n 1)"
    [ "$v" = "False" ] && v=""
    printf '%s' "$v"
}

pg_env() {
    export PGHOST="${PGHOST:-$(_conf_value db_host)}"
    export PGPORT="${PGPORT:-$(_conf_value db_port)}"
    export PGUSER="${PGUSER:-$(_conf_value db_user)}"
    [ -n "$PGHOST" ] || unset PGHOST
    [ -n "$PGPORT" ] || unset PGPORT
    [ -n "$PGUSER" ] || unset PGUSER
    local pw
    pw="${PGPASSWORD:-$(_conf_value db_password)}"
    [ -n "$pw" ] && export PGPASSWORD="$pw"
    return 0
}

_pg_answers() { psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
    pg_env
    command -v psql >/dev/null 2>&1 || _apt_install postgresql-client >/dev/null 2>&1 || true
    if command -v psql >/dev/null 2>&1 && _pg_answers; then
        return 0
    fi
    if [ -z "${PGHOST:-}" ] || [ "${PGHOST:-}" = localhost ] || [ "${PGHOST:-}" = 127.0.0.1 ]; then
        if ! command -v pg_ctlcluster >/dev/null 2>&1; then
            _apt_install postgresql || true
        fi
        if command -v pg_ctlcluster >/dev/null 2>&1; then
            local version
            version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
            if [ -n "$version" ]; then
                say "starting PostgreSQL $version"
                pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 ||
                    pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
                sleep 2
            fi
        fi
        if ! _pg_answers && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
            # A fresh cluster: give the current role a superuser login.
            su postgres -c "createuser --superuser '${PGUSER:-$(id -un)}'" >/dev/null 2>&1 || true
        fi
    fi
    _pg_answers || die "PostgreSQL does not answer (host ${PGHOST:-local socket}, port ${PGPORT:-5432}, user ${PGUSER:-$(id -un)}). Start one (apt-get install postgresql; pg_ctlcluster 15 main start) and give your user a role (createuser --superuser $(id -un)), or set db_host/db_port/db_user in odoo.conf or PGHOST/PGPORT/PGUSER."
}

db_exists() { [ "$(psql -d postgres -Atqc "select 1 from pg_database where datname = '$1'")" = 1 ]; }

# --- Odoo ------------------------------------------------------------------

# odoo [args...] : runs Odoo from the source tree with the project's configuration.
odoo() {
    # Odoo's own start script, not "python -m odoo": prefork Odoo re-runs it for its websocket worker.
    local launcher=(-m odoo)
    if [ -f "$ODOO_SRC/odoo-bin" ]; then launcher=("$ODOO_SRC/odoo-bin"); elif [ -f "$ODOO_SRC/setup/odoo" ]; then launcher=("$ODOO_SRC/setup/odoo"); fi
    (cd "$CITY_ROOT" && "$CITY_VENV/bin/python" "${launcher[@]}" -c "$CITY_CONF" --addons-path="$(odoo_addons_path)" "$@")
}

# Hash of the project's addons, to upgrade a database only when they changed.
addons_hash() {
    (cd "$CITY_ROOT" && find addons -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
}

# setup_all [debian packages...] : everything every command needs.
setup_all() {
    find_odoo
    say "Odoo 18.0 source: $ODOO_SRC"
    ensure_system_packages "$@"
    ensure_venv
    ensure_postgres
    mkdir -p "$CITY_VAR"
}
