"""A real Odoo server on a committed database, for the tests that need one.

Odoo's own test cases run in one transaction that is rolled back, and their HTTP server shares
that transaction, so they cannot show what a crash or real concurrency does to committed data.
The tests that need it (a server killed in the middle of a card batch, parallel payers on one
card) use the database ``<test database>_live``: a copy of the test database that scripts/test
makes after installing or upgrading the addons, so it holds the current code's schema and is
fresh for every run. Without it (tests run without scripts/test) those tests are skipped.

* :func:`live_db` names the copy (or skips the test),
* :func:`odoo_shell` runs set-up code in ``odoo shell`` on it and commits what the code commits,
* :class:`LiveServer` starts Odoo on it on free ports (threaded, or ``workers`` prefork workers),
  waits until it answers, sends requests, and stops it (``stop``) or kills its whole process
  group with SIGKILL (``kill``), the way a crash or ``kill -9`` ends it.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import psycopg2
import pytest
import requests

import odoo

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIVE_SUFFIX = "_live"


def live_db():
    """The committed copy of the test database, or skip the test when scripts/test did not make it."""
    name = (odoo.tools.config["db_name"] or "").split(",")[0] + LIVE_SUFFIX
    try:
        conn = psycopg2.connect(dbname="postgres")
    except psycopg2.Error as error:  # pragma: no cover - no server, no tests
        pytest.skip(f"PostgreSQL unreachable: {error}")
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            found = cr.fetchone()
    finally:
        conn.close()
    if not found:
        pytest.skip(f"database {name} missing: run the tests with scripts/test, which makes it")
    return name


def connect(db):
    """A psycopg2 connection to ``db`` (autocommit off), like Odoo's own (local socket, PG* variables)."""
    return psycopg2.connect(dbname=db)


def _addons_path():
    src = os.environ.get("ODOO_SRC") or str(pathlib.Path(odoo.__file__).resolve().parent.parent)
    parts = [os.path.join(src, "addons")] if os.path.isdir(os.path.join(src, "addons")) else []
    return ",".join([*parts, os.path.join(src, "odoo", "addons"), str(ROOT / "addons")])


def _launcher():
    """Odoo's start script (prefork re-runs sys.argv[0] for its websocket worker)."""
    src = os.environ.get("ODOO_SRC") or str(pathlib.Path(odoo.__file__).resolve().parent.parent)
    for candidate in ("odoo-bin", os.path.join("setup", "odoo")):
        path = os.path.join(src, candidate)
        if os.path.isfile(path):
            return [path]
    return ["-m", "odoo"]


def _command(db, *args):
    conf = odoo.tools.config.rcfile or str(ROOT / "odoo.conf")
    return [
        sys.executable,
        *_launcher(),
        *args,
        "-c",
        conf,
        f"--addons-path={_addons_path()}",
        "-d",
        db,
        f"--db-filter=^{db}$",
    ]


def odoo_shell(db, code, timeout=300):
    """Run ``code`` in ``odoo shell`` on ``db``; return its stdout. The code commits what it keeps."""
    proc = subprocess.run(
        _command(db, "shell") + ["--no-http", "--log-level=warn"],
        input=code,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"odoo shell failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def shell_json(db, code, marker="LIVE_RESULT=", timeout=300):
    """Run ``code`` in ``odoo shell``; it prints ``marker`` + JSON on one line: return that object."""
    for line in odoo_shell(db, code, timeout).splitlines():
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    raise RuntimeError(f"odoo shell printed no {marker} line")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """Odoo serving ``db`` on a free port, in its own process group; a context manager.

    ``workers`` 0 runs Odoo threaded (one process); more runs prefork workers. The log goes to
    ``var/test/<db>-<port>.log`` (kept for a failed test).
    """

    def __init__(self, db, workers=0, extra_args=()):
        self.db = db
        self.workers = workers
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir = ROOT / "var" / "test"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.logfile = log_dir / f"{db}-{self.port}.log"
        self.proc = None

    def start(self, timeout=120):
        args = [
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--logfile={self.logfile}",
            "--log-handler=werkzeug:WARNING",
        ]
        if self.workers:
            gevent_port = free_port()
            args += [f"--gevent-port={gevent_port}", "--limit-time-real=600", "--limit-time-cpu=600"]
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and Odoo
            _command(self.db) + args + self.extra_args,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo exited with status {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/web/login", timeout=10).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.kill()
        raise RuntimeError(f"Odoo did not answer within {timeout}s:\n{self.log_tail()}")

    def request(self, method, path, body=None, headers=None, timeout=120):
        """``(status, decoded JSON or None)`` of one request to the server."""
        response = requests.request(method, self.url + path, json=body, headers=headers or {}, timeout=timeout)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def kill(self):
        """SIGKILL to the server's whole process group (master, workers): a crash, nothing cleans up."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)
        self.proc = None

    def stop(self, timeout=20):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
        self.kill()

    def log_tail(self, lines=40):
        try:
            return "".join(self.logfile.read_text(encoding="utf-8", errors="replace").splitlines(True)[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
