"""Shared helpers of the benchmarks in scripts/bench/ (run with the project's .venv python).

A benchmark module (``scripts/bench/NAME.py``) is started by ``scripts/bench/run NAME``, which
prepares a copy of the ``city`` database and passes ``--db``, ``--workdir`` and the load options.
The module then uses these helpers to

* write an Odoo configuration for the benchmark (:func:`write_config`),
* run setup code in ``odoo shell`` on the copy (:func:`shell_json`): create an API user and key
  (:func:`create_api_key`), a resident's portal user (:data:`RESIDENT_USER_CODE`), or the funded
  cards, merchant, desk and terminals of the ``card_*`` benchmarks (:func:`setup_cards`),
* start Odoo with workers and wait for ``/web/login`` (:class:`OdooServer`),
* load it with ``wrk`` (:func:`run_wrk`; an API key in ``$BENCH_API_KEY`` or a session cookie in
  ``$BENCH_COOKIE`` goes into the requests' headers) and measure the baselines ``GET /web/login``
  and ``GET /api/city/v1/ping`` (:func:`measure_baselines`),
* or load it with senders that post JSON batches from threads of their own, timed by the harness
  (:class:`BatchSender`, :func:`run_senders`, :func:`warm_up_senders`, :func:`latency_figures`,
  :func:`batch_result`),
* log into the portal through the login form and check a page by hand before the load
  (:func:`portal_login`, :func:`http_request` without following redirects),
* print the result as one JSON line, the last line of stdout (:func:`emit`; :func:`run_settings`
  gives the run's settings every result ends with).

A wrk run is *valid* only when every response had a 2xx status and no socket error occurred
(except the read error wrk counts for a complete response whose body ends with the connection);
anything else is reported with ``"valid": false`` and the reasons, never averaged in silently.
API keys, passwords and session cookies only travel through pipes and environment variables,
never through files or logs.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("CITY_ROOT") or os.path.normpath(os.path.join(HERE, "..", ".."))
BASE_CONF = os.environ.get("CITY_CONF") or os.path.join(ROOT, "odoo.conf")
API_PREFIX = "/api/city/v1"
RESULT_MARKER = "BENCH_RESULT "
KEY_MARKER = "BENCH_API_KEY="
KEY_ENV = "BENCH_API_KEY"
COOKIE_ENV = "BENCH_COOKIE"  # a session cookie for pages behind a login (the portal), never written down
DEFAULT_DURATION = 10
DEFAULT_CONNECTIONS = 8
DEFAULT_WORKERS = 2
DEFAULT_WARMUP = 2
# A prefork worker is recycled after limit_request requests (Odoo's default 65536): a restart in
# the middle of a measurement would measure registry loading, so the benchmark raises it.
LIMIT_REQUEST = 10_000_000


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """The benchmark could not run (not an invalid measurement: that is reported in the JSON)."""


# ---------------------------------------------------------------------------
# Arguments and files
# ---------------------------------------------------------------------------


def parse_args(doc, default_scale, argv=None, connections_per_worker=False):
    """Common command line of a benchmark module; ``doc`` is the module docstring.

    ``connections_per_worker``: without ``--connections``, open as many connections as Odoo has
    workers, so that p95 measures the page's own latency rather than the queue for a worker.
    """
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--db", required=True, help="the benchmark database (a copy of 'city')")
    parser.add_argument("--workdir", help="directory for the configuration, logs and Lua scripts")
    parser.add_argument("--scale", type=int, default=default_scale, help=f"data scale (default {default_scale})")
    parser.add_argument("--duration", type=int, default=DEFAULT_DURATION, help="seconds per measurement")
    parser.add_argument(
        "--connections",
        type=int,
        default=None if connections_per_worker else DEFAULT_CONNECTIONS,
        help="open HTTP connections" + (" (default: one per worker)" if connections_per_worker else ""),
    )
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="Odoo HTTP workers")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help="seconds of warm-up per endpoint")
    args = parser.parse_args(argv)
    if args.connections is None:
        args.connections = args.workers
    if args.db == "city":
        parser.error("refusing to benchmark the development database 'city': use scripts/bench/run")
    if args.scale < 1 or args.duration < 1 or args.connections < 1 or args.workers < 1:
        parser.error("--scale, --duration, --connections and --workers must be positive")
    args.name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    args.workdir = os.path.abspath(args.workdir or os.path.join(ROOT, "var", "bench", args.name))
    os.makedirs(args.workdir, exist_ok=True)
    return args


def write_config(workdir, overrides):
    """Copy the project's odoo.conf into ``workdir`` with ``overrides`` ({key: value}) applied."""
    with open(BASE_CONF, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    pending = dict(overrides)
    out = []
    for line in lines:
        match = re.match(r"^\s*([A-Za-z0-9_]+)\s*=", line)
        if match and match.group(1) in pending:
            key = match.group(1)
            out.append(f"{key} = {pending.pop(key)}")
        else:
            out.append(line)
    if pending:
        out.append("; benchmark overrides (scripts/bench/common.py)")
        out.extend(f"{key} = {value}" for key, value in pending.items())
    path = os.path.join(workdir, "odoo.conf")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")
    return path


def addons_path():
    """Odoo's addons and the project's, as scripts/lib/setup.sh's odoo_addons_path gives them."""
    path = os.environ.get("CITY_ADDONS_PATH")
    if path:
        return path
    src = os.environ.get("ODOO_SRC") or "/opt/odoo18"
    parts = [os.path.join(src, "addons")] if os.path.isdir(os.path.join(src, "addons")) else []
    parts += [os.path.join(src, "odoo", "addons"), os.path.join(ROOT, "addons")]
    return ",".join(parts)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_launcher():
    """Odoo's own start script. Prefork Odoo re-runs ``sys.argv[0]`` to start its websocket (gevent)
    worker, which ``python -m odoo`` cannot give (the worker would fail and restart in a loop)."""
    src = os.environ.get("ODOO_SRC") or "/opt/odoo18"
    for candidate in ("odoo-bin", os.path.join("setup", "odoo")):
        path = os.path.join(src, candidate)
        if os.path.isfile(path):
            return [path]
    return ["-m", "odoo"]


def odoo_command(conf, db, *args):
    return [
        sys.executable,
        *odoo_launcher(),
        *args,
        "-c",
        conf,
        f"--addons-path={addons_path()}",
        "-d",
        db,
        f"--db-filter=^{db}$",
    ]


# ---------------------------------------------------------------------------
# Database helpers
# ---------------------------------------------------------------------------


def query(db, sql, params=None):
    """Rows of one read-only query on ``db`` (local socket and PG* variables, like psql)."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()
    finally:
        conn.close()


def odoo_shell(conf, db, code, logfile, timeout=600, env=None):
    """Run ``code`` in ``odoo shell`` on ``db`` and return its stdout (the log goes to ``logfile``).

    ``env`` adds environment variables for the shell only (e.g. a password the code reads).
    """
    command = odoo_command(conf, db, "shell") + ["--no-http", "--log-level=warn", f"--logfile={logfile}"]
    proc = subprocess.run(
        command,
        input=code,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        raise BenchError(f"odoo shell failed (exit {proc.returncode}); see {logfile}\n{proc.stderr[-2000:]}")
    return proc.stdout


API_USER_CODE = """
login = {login!r}
groups = [env.ref(xmlid).id for xmlid in {groups!r}]
Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True, tracking_disable=True)
user = Users.search([("login", "=", login)], limit=1)
if not user:
    user = Users.create({{"name": "Benchmark API client", "login": login, "groups_id": [(6, 0, groups)]}})
else:
    user.write({{"active": True, "groups_id": [(6, 0, groups)]}})
env.cr.execute("DELETE FROM res_users_apikeys WHERE user_id = %s AND name = %s", [user.id, "bench"])
key = env["res.users.apikeys"].with_user(user).sudo()._generate(None, "bench", None)
env.cr.commit()
print({marker!r} + key)
"""


def create_api_key(conf, db, workdir, login="bench_api", groups=()):
    """Create (or refresh) internal user ``login`` with ``groups`` and return a new API key for it.

    The key is read from the shell's stdout pipe and kept in memory only.
    """
    groups = list(groups) or ["base.group_user"]
    code = API_USER_CODE.format(login=login, groups=groups, marker=KEY_MARKER)
    out = odoo_shell(conf, db, code, os.path.join(workdir, "odoo-shell.log"))
    for line in out.splitlines():
        if line.startswith(KEY_MARKER):
            return line[len(KEY_MARKER) :].strip()
    raise BenchError("odoo shell did not return an API key")


def shell_json(conf, db, workdir, code, marker, what, timeout=600, env=None):
    """Run ``code`` in ``odoo shell`` and return the JSON it printed after ``marker`` (its last such line).

    The shell's log goes to ``workdir/odoo-shell.log``; ``env`` is passed on to :func:`odoo_shell`.
    Without such a line, a :class:`BenchError` says that the shell did not ``what``, with the end
    of what it printed.
    """
    out = odoo_shell(conf, db, code, os.path.join(workdir, "odoo-shell.log"), timeout=timeout, env=env)
    lines = [line for line in out.splitlines() if line.startswith(marker)]
    if not lines:
        raise BenchError(f"odoo shell did not {what}:\n{out[-2000:]}")
    return json.loads(lines[-1][len(marker) :])


def ensure_installed(conf, db, workdir, modules, timeout=1800):
    """Install those of ``modules`` that are not installed in ``db`` yet; return the ones installed.

    The copy of ``city`` may predate an addon (scripts/run --no-start installs new addons into
    ``city`` when the addons change): the benchmark then installs it into its copy only, with
    Odoo's ``-i`` and ``--stop-after-init`` (log in ``workdir/odoo-install.log``). Nothing to do,
    and no time spent, when they are all installed.
    """
    rows = query(db, "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", (list(modules),))
    states = dict(rows)
    unknown = [name for name in modules if name not in states]
    missing = [name for name in modules if states.get(name) != "installed"]
    if not missing:
        return []
    logfile = os.path.join(workdir, "odoo-install.log")
    log(f"installing {', '.join(missing)} into {db} (log {os.path.relpath(logfile, ROOT)})")
    if unknown:
        # an addon the database never saw: refresh the module list first (-i does not)
        odoo_shell(conf, db, "env['ir.module.module'].update_list()\nenv.cr.commit()\n", logfile, timeout=timeout)
    command = odoo_command(conf, db, "-i", ",".join(missing)) + [
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
        f"--logfile={logfile}",
    ]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    states = dict(query(db, "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", (missing,)))
    if proc.returncode != 0 or any(states.get(name) != "installed" for name in missing):
        raise BenchError(f"installing {', '.join(missing)} failed (exit {proc.returncode}); see {logfile}")
    return missing


# Shell code that defines ``resident_user(partner, login, password, **values)``: it creates or
# updates the portal user ``login`` of resident ``partner`` (group city_base.group_city_base_resident,
# the partner's language when installed, ``values`` on top) and returns it. Prepend it to a
# benchmark's shell code; it has no braces, so it also goes in front of a str.format template.
RESIDENT_USER_CODE = """
def resident_user(partner, login, password, **values):
    installed = [code for code, _name in env["res.lang"].get_installed()]
    values = dict(
        values,
        name=partner.name,
        login=login,
        partner_id=partner.id,
        groups_id=[(6, 0, [env.ref("city_base.group_city_base_resident").id])],
        lang=partner.lang if partner.lang in installed else installed[0],
        password=password,
    )
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True, tracking_disable=True)
    user = Users.search([("login", "=", login)], limit=1)
    if user:
        user.write(values)
    else:
        user = Users.create(values)
    return user
"""

CARD_MARKER = "BENCH_CARD_SETUP="

# Shell code of setup_cards, run after ``import json`` and ``setup = json.loads(...)``, the parameters.
CARD_SETUP_CODE = """
import time

started = time.monotonic()
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
Partner = env["res.partner"]
org = Partner.search([("name", "=", setup["organisation"])], limit=1) or Partner.create(
    {"name": setup["organisation"], "is_company": True}
)
Merchant = env["city.card.merchant"]
values = dict(setup["merchant"], partner_id=org.id, function_id=env.ref(setup["function"]).id)
merchant = Merchant.search([("code", "=", values["code"])], limit=1) or Merchant.create(values)
Desk = env["city.card.desk"]
desk = Desk.search([("code", "=", setup["desk"]["code"])], limit=1) or Desk.create(setup["desk"])
Terminal = env["city.card.terminal"]
terminals = []
for index in range(setup["terminals"]):
    code = setup["terminal_code"] % index
    terminal = Terminal.search([("code", "=", code)], limit=1) or Terminal.create(
        {"code": code, "kind": setup["terminal_kind"], "merchant_id": merchant.id}
    )
    terminals.append({"id": terminal.id, "code": code, "key": terminal._generate_key()})
env.cr.commit()
count = setup["cards"]
Card = env["city.card"]
cards = Card.search([("state", "=", "active"), ("desk_id", "=", desk.id)], order="id", limit=count)
env.cr.execute(
    "SELECT id FROM res_partner p WHERE is_resident AND active AND resident_id_number IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM city_card c WHERE c.partner_id = p.id "
    "AND c.state IN ('applied', 'issued', 'active', 'lost', 'frozen')) ORDER BY id LIMIT %s",
    [count - len(cards)],
)
free = [row[0] for row in env.cr.fetchall()]
standard = env.ref("city_card.type_standard")
operations = env["city.card.operation"].sudo()
for start in range(0, len(free), 200):
    batch = Card.create(
        [{"partner_id": pid, "type_id": standard.id, "desk_id": desk.id} for pid in free[start : start + 200]]
    )
    batch.action_issue()
    batch.action_activate()
    for card in batch:
        operations._topup(card, setup["topup"], desk=desk)
    env.cr.commit()
    cards |= batch
env.cr.execute(
    "SELECT c.id, c.number, a.id, a.cached_balance FROM city_card c JOIN city_card_account a ON a.card_id = c.id "
    "AND a.kind = 'purse_cash' WHERE c.id = ANY(%s) ORDER BY c.id",
    [cards.ids],
)
rows = [
    {"id": card_id, "number": number, "purse": purse, "balance": balance}
    for card_id, number, purse, balance in env.cr.fetchall()
]
if setup["card_keys"]:
    from odoo.addons.city_card.tools.card_crypto import card_key

    for row in rows:
        row["key"] = card_key(row["number"]).hex()
print(setup["marker"] + json.dumps({
    "merchant": merchant.id,
    "desk": desk.id,
    "terminals": terminals,
    "cards": rows,
    "clearing": env["city.card.account"]._system_account("clearing").id,
    "seconds": round(time.monotonic() - started, 1),
}))
"""


def setup_cards(conf, db, workdir, fleet, cards, terminals, card_keys=False, timeout=1800):
    """Create (or reuse) funded cards, their merchant, service desk and terminals, in ``odoo shell``.

    ``fleet`` describes them (each record is found again by its code, so a kept database is reused):

    * ``organisation``: the name of the merchant's partner company;
    * ``merchant``: the merchant's field values, with its ``code``; ``function``: the xmlid of its
      ``function_id``;
    * ``desk``: the service desk's ``name`` and ``code``;
    * ``terminal_code`` (a pattern for the index, e.g. ``"BENCHPOS%03d"``) and ``terminal_kind``:
      ``terminals`` terminals of the merchant, each with a new key;
    * ``topup``: fen each new card is topped up with at the desk.

    The ``cards`` active standard cards of the desk are those of an earlier run first, then new
    ones for residents without an open card (run :func:`datagen.fill` first when the city may have
    too few). With ``card_keys``, each card's own key (diversified from the master key by the
    server's configuration) comes back too.

    Returns ``{"merchant", "desk", "clearing"`` (the system clearing account), ``"terminals"``
    (``[{"id", "code", "key"}]``), ``"cards"`` (``[{"id", "number", "purse", "balance"[, "key"]}]``
    by card id, ``purse`` the cash purse and ``balance`` its cached balance), ``"seconds"}``. The
    keys only travel through the shell's stdout pipe and memory.
    """
    setup = dict(fleet, cards=cards, terminals=terminals, card_keys=card_keys, marker=CARD_MARKER)
    code = f"import json\nsetup = json.loads({json.dumps(setup)!r})\n" + CARD_SETUP_CODE
    return shell_json(conf, db, workdir, code, CARD_MARKER, "set up the cards and terminals", timeout=timeout)


# ---------------------------------------------------------------------------
# Odoo server
# ---------------------------------------------------------------------------


class OdooServer:
    """Odoo with prefork workers on free ports, logging to ``workdir/odoo.log``; a context manager.

    It runs in its own process group, so Ctrl-C reaches only the harness, which then stops it
    (SIGTERM to the group, SIGKILL after ``stop_timeout`` seconds). Its process group id is kept in
    ``workdir/odoo.pid`` so that scripts/bench/run can stop a server a killed harness left behind.
    """

    def __init__(self, conf, db, workdir, workers=DEFAULT_WORKERS, extra_args=(), stop_timeout=20):
        self.conf = conf
        self.db = db
        self.workdir = workdir
        self.workers = workers
        self.extra_args = list(extra_args)
        self.stop_timeout = stop_timeout
        self.port = free_port()
        self.gevent_port = free_port()
        while self.gevent_port == self.port:
            self.gevent_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = os.path.join(workdir, "odoo.log")
        self.pidfile = os.path.join(workdir, "odoo.pid")
        self.proc = None

    def start(self, timeout=180):
        command = odoo_command(self.conf, self.db) + [
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            f"--limit-request={LIMIT_REQUEST}",
            f"--logfile={self.logfile}",
            # one line per request would make the log as large as the benchmark
            "--log-handler=werkzeug:WARNING",
            *self.extra_args,
        ]
        log(f"starting Odoo on {self.url} ({self.workers} workers, log {os.path.relpath(self.logfile, ROOT)})")
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        with open(self.pidfile, "w", encoding="utf-8") as handle:
            handle.write(f"{self.proc.pid}\n")
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"Odoo exited with status {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _body = http_request(f"{self.url}/web/login", timeout=10)
                if status == 200:
                    log(f"Odoo answers on {self.url}/web/login")
                    return
                last = f"HTTP {status}"
            except OSError as error:
                last = str(error)
            time.sleep(0.5)
        raise BenchError(f"Odoo did not answer /web/login within {timeout}s ({last}):\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            log("stopping Odoo")
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                log("Odoo did not stop in time: killing it")
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        # the prefork master may leave its gevent child behind when it is killed
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.remove(self.pidfile)
        except OSError:
            pass
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands a redirect back as the answer instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_request(url, method="GET", body=None, headers=None, timeout=30, follow_redirects=True):
    """(status, body bytes) of one HTTP request; HTTP errors are returned, not raised.

    ``body`` is sent as JSON. With ``follow_redirects=False`` a redirect is the answer (e.g. the 303
    to the login page of a portal page whose session was lost), not the page it leads to.
    """
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    urlopen = urllib.request.urlopen if follow_redirects else urllib.request.build_opener(_NoRedirect()).open
    try:
        with urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def portal_login(url, login, password, landing):
    """Log ``login`` in through Odoo's login form and return the session cookie (``session_id=...``).

    The harness reads the form's CSRF token (``GET /web/login``), posts the form with ``redirect``
    = ``landing`` and requires to land there. The cookie is meant for the ``Cookie`` header of the
    checks and of wrk (:data:`COOKIE_ENV`); it and the password stay in memory.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{url}/web/login", timeout=60) as response:
        page = response.read().decode("utf-8", "replace")
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        raise BenchError("no csrf_token on /web/login")
    form = {"login": login, "password": password, "csrf_token": match.group(1), "redirect": landing}
    with opener.open(f"{url}/web/login", data=urllib.parse.urlencode(form).encode(), timeout=60) as response:
        landed = urllib.parse.urlparse(response.geturl()).path
    if landed != landing:
        raise BenchError(f"portal login of {login} failed: landed on {landed}, not {landing}")
    cookies = [cookie for cookie in jar if cookie.name == "session_id"]
    if not cookies:
        raise BenchError("no session_id cookie after the login")
    return f"session_id={cookies[0].value}"


def session_login(url, db, login, password, timeout=60):
    """Log an internal user in through ``/web/session/authenticate`` (JSON-RPC, as Odoo's web client
    and external tools do) and return the session cookie (``session_id=...``), kept in memory only."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = {"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": login, "password": password}}
    request = urllib.request.Request(
        f"{url}/web/session/authenticate",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with opener.open(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if "error" in answer or not (answer.get("result") or {}).get("uid"):
        raise BenchError(f"login of {login} failed: {answer.get('error', {}).get('message', 'no uid')}")
    cookies = [cookie for cookie in jar if cookie.name == "session_id"]
    if not cookies:
        raise BenchError("no session_id cookie after the login")
    return f"session_id={cookies[0].value}"


def call_kw(url, cookie, model, method, args=(), kwargs=None, timeout=60):
    """``model.method(*args, **kwargs)`` through the web client's JSON-RPC route with the session
    ``cookie``; returns ``(HTTP status, result)``, or raises BenchError with the server's error."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs or {}},
    }
    status, answer = http_request(
        f"{url}/web/dataset/call_kw/{model}/{method}",
        method="POST",
        body=body,
        headers={"Cookie": cookie},
        timeout=timeout,
    )
    if status != 200:
        raise BenchError(f"{model}.{method} answered HTTP {status}: {answer[:300]!r}")
    data = json.loads(answer)
    if "error" in data:
        error = data["error"]
        raise BenchError(f"{model}.{method} failed: {error.get('data', {}).get('message') or error.get('message')}")
    return status, data["result"]


# ---------------------------------------------------------------------------
# Batch senders
# ---------------------------------------------------------------------------


class BatchSender:
    """A client that posts JSON batches one after the other in a thread of its own (see :func:`run_senders`).

    A subclass sets ``key`` (its API key, sent as ``Authorization: Bearer``) and implements
    :meth:`next_batch` and :meth:`answered`.
    """

    key = None

    def next_batch(self):
        """``(body, fields)``: the next JSON body to post and the fields its record starts with."""
        raise NotImplementedError

    def answered(self, record, data):
        """Complete ``record`` from the ``data`` of the batch's 200 answer (and remember what was sent)."""
        raise NotImplementedError


def post_batches(sender, url, stop_at, records):
    """Post ``sender``'s batches to ``url`` until ``stop_at`` (monotonic seconds); one record per batch.

    A record holds ``start`` and ``end`` (monotonic seconds around the request), ``status``,
    ``error`` (a transport error, or the start of a non-200 answer) and the sender's fields. A
    transport error ends this sender.
    """
    headers = {"Authorization": f"Bearer {sender.key}"}
    while time.monotonic() < stop_at:
        body, fields = sender.next_batch()
        record = {"start": time.monotonic(), "status": None, "error": None, **fields}
        try:
            status, answer = http_request(url, method="POST", body=body, headers=headers, timeout=600)
        except OSError as error:
            record.update(end=time.monotonic(), error=str(error))
            records.append(record)
            return
        record.update(end=time.monotonic(), status=status)
        if status == 200:
            sender.answered(record, json.loads(answer)["data"])
        else:
            record["error"] = answer[:300].decode("utf-8", "replace")
        records.append(record)


def run_senders(senders, url, seconds, label, what):
    """Every sender posts batches in its own thread for ``seconds``; return ``(records, elapsed seconds)``.

    ``label`` and ``what`` (the senders and their batches) go into the log. The elapsed time runs
    until the last answer, so that the batches still in flight at the end count in full.
    """
    log(f"{label}: {len(senders)} {what}, {seconds}s")
    records = []
    started = time.monotonic()
    threads = [
        threading.Thread(target=post_batches, args=(sender, url, started + seconds, records), daemon=True)
        for sender in senders
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ends = [record["end"] for record in records]
    return records, (max(ends) if ends else time.monotonic()) - started


def warm_up_senders(senders, url, seconds, label, what, summarize):
    """:func:`run_senders` for ``seconds`` of warm-up (none when 0), checked by the benchmark's ``summarize``.

    ``summarize(records, elapsed)`` returns ``(figures, reasons)``; any reason stops the benchmark.
    """
    if seconds <= 0:
        return
    records, elapsed = run_senders(senders, url, seconds, label, what)
    _figures, reasons = summarize(records, elapsed)
    if reasons:
        raise BenchError(f"the warm-up failed: {'; '.join(reasons)}")


def percentile(values, pct):
    """The ``pct`` percentile of ``values`` (nearest rank), None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def latency_figures(records, percentiles=(50, 95, 99)):
    """``batch_pNN_ms`` for each of ``percentiles`` and ``batch_max_ms`` over ``records`` (None without any)."""
    latencies = [(record["end"] - record["start"]) * 1000 for record in records]
    out = {f"batch_p{pct}_ms": round(percentile(latencies, pct), 1) if latencies else None for pct in percentiles}
    out["batch_max_ms"] = round(max(latencies), 1) if latencies else None
    return out


# ---------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------

LUA_TEMPLATE = r"""-- generated by scripts/bench/common.py; API key from $BENCH_API_KEY, cookie from $BENCH_COOKIE
local bodies = {
%(bodies)s
}
local method = %(method)s
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

function init(args)
    statuses = {}
    unframed = 0
    counter = (tid or 1) * 7919
    wrk.method = method
    local key = os.getenv("BENCH_API_KEY")
    if key and key ~= "" then
        wrk.headers["Authorization"] = "Bearer " .. key
    end
    local cookie = os.getenv("BENCH_COOKIE")
    if cookie and cookie ~= "" then
        wrk.headers["Cookie"] = cookie
    end
    if #bodies > 0 then
        wrk.headers["Content-Type"] = "application/json"
    end
end

function request()
    if #bodies == 0 then
        return wrk.format()
    end
    counter = counter + 1
    return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    -- a body without Content-Length or chunked encoding ends when the server closes the
    -- connection, which wrk also counts as a read error: count those to tell them apart
    for name, _ in pairs(headers) do
        local lower = string.lower(name)
        if lower == "content-length" or lower == "transfer-encoding" then
            return
        end
    end
    unframed = unframed + 1
end

function done(summary, latency, requests)
    local counts = {}
    local unframed_total = 0
    for _, thread in ipairs(threads) do
        unframed_total = unframed_total + (thread:get("unframed") or 0)
        local per_thread = thread:get("statuses") or {}
        for code, n in pairs(per_thread) do
            counts[code] = (counts[code] or 0) + n
        end
    end
    local parts = {}
    for code, n in pairs(counts) do
        table.insert(parts, string.format('"%%d":%%d', code, n))
    end
    local e = summary.errors
    io.write(string.format(
        '%(marker)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,' ..
        '"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d},' ..
        '"latency_us":{"min":%%d,"mean":%%.1f,"stdev":%%.1f,"max":%%d,' ..
        '"p50":%%d,"p75":%%d,"p90":%%d,"p95":%%d,"p99":%%d},"unframed":%%d,"statuses":{%%s}}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.min, latency.mean, latency.stdev, latency.max,
        latency:percentile(50), latency:percentile(75), latency:percentile(90),
        latency:percentile(95), latency:percentile(99),
        unframed_total, table.concat(parts, ",")))
end
"""


def lua_string(text):
    """``text`` as a double-quoted Lua string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def write_lua(path, method="GET", bodies=()):
    """Write a wrk script: ``method``, JSON ``bodies`` sent in rotation, status codes counted."""
    rendered = ",\n".join(f"    {lua_string(json.dumps(body, ensure_ascii=False))}" for body in bodies)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(LUA_TEMPLATE % {"bodies": rendered, "method": lua_string(method), "marker": RESULT_MARKER})
    return path


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def _to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk_output(text):
    """Figures of wrk's text report (``--latency``): rps, latency distribution, errors, non-2xx/3xx."""
    out = {"requests": None, "rps": None, "latency_ms": {}, "socket_errors": {}, "non_2xx_3xx": 0}
    match = re.search(r"^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text, re.M)
    if match:
        out["requests"] = int(match.group(1))
        out["elapsed_ms"] = _to_ms(match.group(2))
    match = re.search(r"^Requests/sec:\s*([\d.]+)", text, re.M)
    if match:
        out["rps"] = float(match.group(1))
    match = re.search(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    if match:
        out["latency_ms"].update(avg=_to_ms(match.group(1)), stdev=_to_ms(match.group(2)), max=_to_ms(match.group(3)))
    for pct, value in re.findall(r"^\s*(50|75|90|99)%\s+(\S+)\s*$", text, re.M):
        out["latency_ms"][f"p{pct}"] = _to_ms(value)
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        out["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if match:
        out["non_2xx_3xx"] = int(match.group(1))
    return out


def run_wrk(url, script, duration, connections, threads=None, env=None, label=None):
    """Load ``url`` with wrk and return a measurement dict (``valid`` tells whether it counts).

    ``env`` adds environment variables for wrk only (e.g. the API key for the Lua script).
    """
    threads = threads or max(1, min(connections, 2))
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        url,
    ]
    log(f"wrk {label or url}: {connections} connections, {threads} threads, {duration}s")
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=duration + 60,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(f"wrk failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    text = proc.stdout
    parsed = parse_wrk_output(text)
    summary = None
    for line in text.splitlines():
        if line.startswith(RESULT_MARKER):
            summary = json.loads(line[len(RESULT_MARKER) :])
    if summary is None or parsed["rps"] is None:
        raise BenchError(f"could not read wrk's report:\n{text}")
    statuses = {int(code): count for code, count in summary["statuses"].items()}
    non_2xx = sum(count for code, count in statuses.items() if not 200 <= code < 300)
    socket_errors = {key: summary["errors"][key] for key in ("connect", "read", "write", "timeout")}
    # wrk counts one read error per response whose body ends with the connection (no
    # Content-Length, e.g. Odoo's HTML pages over HTTP/1.0): those responses were complete.
    unframed = summary["unframed"]
    real_errors = dict(socket_errors, read=max(0, socket_errors["read"] - unframed))
    reasons = []
    if summary["requests"] == 0:
        reasons.append("no request completed")
    if non_2xx:
        reasons.append(f"{non_2xx} non-2xx responses {dict(sorted(statuses.items()))}")
    if parsed["non_2xx_3xx"] and not non_2xx:
        reasons.append(f"wrk reports {parsed['non_2xx_3xx']} non-2xx/3xx responses")
    if any(real_errors.values()):
        reasons.append(f"socket errors {real_errors}")
    latency = summary["latency_us"]
    result = {
        "endpoint": label or url,
        "valid": not reasons,
        "rps": round(parsed["rps"], 1),
        "requests": summary["requests"],
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p95_ms": round(latency["p95"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "mean_ms": round(latency["mean"] / 1000, 2),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "non_2xx": non_2xx,
        "socket_errors": real_errors,
        "unframed_responses": unframed,
    }
    if reasons:
        result["invalid_reasons"] = reasons
    log(
        f"  {result['rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"p99 {result['p99_ms']} ms{'' if result['valid'] else ' — INVALID: ' + '; '.join(reasons)}"
    )
    return result


def measure(server, path, args, method="GET", bodies=(), env=None, label=None, script_name=None):
    """Warm ``path`` up for ``args.warmup`` seconds, then measure it for ``args.duration`` seconds."""
    label = label or f"{method} {path}"
    script = os.path.join(args.workdir, script_name or (re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_") + ".lua"))
    write_lua(script, method=method, bodies=bodies)
    try:
        url = server.url + path
        if args.warmup > 0:
            run_wrk(url, script, args.warmup, args.connections, env=env, label=f"{label} (warm-up)")
        return run_wrk(url, script, args.duration, args.connections, env=env, label=label)
    finally:
        os.remove(script)


def measure_baselines(server, args):
    """The two reference points: Odoo's login page and the API's minimal JSON route."""
    return {
        "web_login": measure(server, "/web/login", args, label="GET /web/login"),
        "ping": measure(server, f"{API_PREFIX}/ping", args, label=f"GET {API_PREFIX}/ping"),
    }


def baseline_block(baselines, compared_with="ping"):
    """The ``baseline`` entry of a result: what the ratio is taken against, and both baselines."""
    return {
        "compared_with": compared_with,
        **{name: figures(measurement) for name, measurement in baselines.items()},
    }


def figures(measurement):
    """The figures of a measurement worth publishing in the final JSON."""
    keys = ("endpoint", "valid", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "requests", "non_2xx", "socket_errors")
    out = {key: measurement[key] for key in keys}
    if not measurement["valid"]:
        out["invalid_reasons"] = measurement["invalid_reasons"]
    return out


def batch_result(args, figures, valid, baseline, reference, ratio_definition, target_ratio, target_per_second):
    """The head of a batch benchmark's result: name, ``figures``, targets, validity, baseline and ratio.

    ``figures`` come from the benchmark's summary of its senders and hold ``per_second`` (units of
    work per second); ``ratio`` = per_second / ``reference`` (the baseline's rate), and the result
    tells whether the valid run meets ``target_ratio`` and ``target_per_second``. The benchmark adds
    its own figures after these keys.
    """
    per_second = figures["per_second"]
    ratio = round(per_second / reference, 3) if reference and per_second is not None else None
    return {
        "name": args.name,
        **figures,
        "target_per_second": target_per_second,
        "valid": valid,
        "baseline": baseline,
        "ratio": ratio,
        "ratio_definition": ratio_definition,
        "target_ratio": target_ratio,
        "meets_target": bool(valid and ratio is not None and ratio >= target_ratio),
        "meets_per_second_target": bool(valid and per_second is not None and per_second >= target_per_second),
    }


def page_result(args, target, baselines, target_ratio, target_p95_ms, also_valid=None):
    """The head of a page benchmark's result: name, the page's figures, validity, the baselines, the
    ratio to ``/web/login`` and whether the run meets ``target_ratio`` and ``target_p95_ms``.

    The run is valid when the page, ``/web/login`` and ``also_valid`` (measurements; by default the
    ping baseline) are. The benchmark adds its own figures after these keys.
    """
    login_page = baselines["web_login"]
    also_valid = [baselines["ping"]] if also_valid is None else also_valid
    valid = all(measurement["valid"] for measurement in (target, login_page, *also_valid))
    ratio = round(target["rps"] / login_page["rps"], 3) if login_page["rps"] else None
    meets_ratio = bool(valid and ratio is not None and ratio >= target_ratio)
    meets_p95 = bool(valid and target["p95_ms"] <= target_p95_ms)
    return {
        "name": args.name,
        **figures(target),
        "valid": valid,
        "baseline": baseline_block(baselines, "web_login"),
        "ratio": ratio,
        "ratio_definition": "rps / baseline.web_login.rps",
        "target_ratio": target_ratio,
        "target_p95_ms": target_p95_ms,
        "meets_target": meets_ratio and meets_p95,
        "meets_ratio_target": meets_ratio,
        "meets_p95_target": meets_p95,
    }


def run_settings(args, connections=True):
    """The settings of the run a result ends with: workers, connections, duration_s, warmup_s, cpu_count, db.

    ``connections=False`` leaves out ``connections`` (for benchmarks whose load does not come from wrk).
    """
    settings = {"workers": args.workers}
    if connections:
        settings["connections"] = args.connections
    settings.update(duration_s=args.duration, warmup_s=args.warmup, cpu_count=os.cpu_count(), db=args.db)
    return settings


REQUIRED_KEYS = ("name", "baseline", "ratio", "target_ratio")
UNIT_SUFFIXES = ("rps", "_ms", "_s", "_per_s")


def emit(result, invalid_reasons=()):
    """Print ``result`` as the last line of stdout (one JSON object) and return the exit status.

    The contract every benchmark keeps: ``name``, measured figures with units in their keys,
    ``baseline`` (what was compared, with its figures), ``ratio`` and ``target_ratio``.
    ``invalid_reasons`` (why the run's own checks failed) go into the result and the log.
    """
    if invalid_reasons:
        result["invalid_reasons"] = list(invalid_reasons)
        log("  INVALID: " + "; ".join(invalid_reasons))
    missing = [key for key in REQUIRED_KEYS if key not in result]
    if missing or not any(key.endswith(UNIT_SUFFIXES) for key in result):
        raise BenchError(f"benchmark result breaks the contract: missing {missing or 'a figure with a unit'}")
    result.setdefault("timestamp", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False, sort_keys=False), flush=True)
    return 0 if result.get("valid", True) else 2


def run_main(main):
    """Run a benchmark's ``main()``: a BenchError becomes a message and exit status 1."""
    try:
        sys.exit(main())
    except BenchError as error:
        log(f"error: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
