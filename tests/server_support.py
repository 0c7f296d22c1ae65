"""tweepee under gunicorn for the tests, and a small browser to talk to it over HTTP.

Built on the benchmark's launcher and client (bench/servers.py, bench/client.py),
so there is one way to start gunicorn and one HTTP client in the repository;
this module adds what the tests need, with the standard library only:

- `LiveServer` is tweepee under gunicorn on 127.0.0.1 with its own SQLite file
  (migrated on start) or a given environment, and an access log that names the
  worker (pid) behind each request; `AppServer` is one of a group of servers on
  one database, which `migrate(env)` migrates once; `running()` starts several
  servers and always stops them all;
- `server_env()` builds a server's environment, `flask_cli()` runs a flask command in it;
- `Client` is bench/client.py's `Browser` with the tests' defaults: requests
  round robin over a group of servers, every response recorded, `join()` and
  `login()` that check the redirect;
- `run_threads()` runs N client functions at once, bounded in time;
- `query()` reads the database directly (sqlite3 or psycopg2): what was really
  stored, not what a page shows.
"""
import contextlib
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.client import Browser
from bench.servers import Server

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
# Same algorithm as production with a small cost: a login costs a few ms, not 100.
CHEAP_HASH = "scrypt:1024:8:1"
REQUEST_TIMEOUT = 30.0  # seconds, per request (SQLite's busy timeout is 10 s)
# The access log: `<pid>` of the worker, then the request line and the status.
ACCESS_LOG = ["--access-logfile", "-", "--access-logformat", 'ACCESS %(p)s "%(r)s" %(s)s %(L)s']
ACCESS_LINE = re.compile(r'^ACCESS <(\d+)> "([A-Z]+) (\S+) [^"]*" (\d{3}) ')
ERROR_MARKERS = ("Traceback", "database is locked", "WORKER TIMEOUT", "OperationalError",
                 "IntegrityError", "Exception on ")


# --- servers ---------------------------------------------------------------------------
def server_env(database_url, secret_key=None, **extra):
    """The environment of a tweepee server: database, shared secret key, cheap hashes, no Gravatar."""
    env = dict(os.environ, **{"DATABASE_URL": database_url,
                              "SECRET_KEY": secret_key or secrets.token_hex(32),
                              "GRAVATAR": "0", "PASSWORD_HASH_METHOD": CHEAP_HASH,
                              "PYTHONUNBUFFERED": "1", **extra})
    for name in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_PORT"):
        env.pop(name, None)
    return env


def flask_cli(env, *args, timeout=60):
    """Run `flask --app adminapp <args>` with `env`; RuntimeError with its output on failure."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "adminapp", *args],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout


def migrate(env):
    """Create the tables once, with `flask --app adminapp migrate`, before any server starts."""
    return flask_cli(env, "migrate")


class LiveServer(Server):
    """tweepee under gunicorn (`workers` sync workers) on 127.0.0.1, in a subprocess.

    A subprocess rather than a thread: the models bind to a global database
    proxy that other tests re-point. Without `env` it has a SQLite file of its
    own, <workdir>/e2e.db; start() migrates the database, then waits until
    /public/ answers 200. The log is <workdir>/<name>.log; its access lines
    start with `ACCESS <pid>`, so a test can tell which worker served which
    request. Use as a context manager; the server is always stopped on exit.
    """

    def __init__(self, workdir, env=None, workers=1, name="gunicorn", start_timeout=30.0):
        self.workdir = Path(workdir)
        super().__init__(name, "adminapp:create_app()", REPO_ROOT, self.workdir / f"{name}.log",
                         env=env or server_env(f"sqlite:///{self.workdir / 'e2e.db'}"),
                         ready_path="/public/", ready_status=200, workers=workers,
                         start_timeout=start_timeout, options=ACCESS_LOG)

    def start(self):
        """Migrate, start gunicorn and wait until it answers; ServerError when it does not."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.migrate()
        return super().start()

    def migrate(self):
        """Create the tables with `flask --app adminapp migrate`, same environment."""
        flask_cli(self.env, "migrate")

    def query(self, sql, *params):
        """Rows of `sql` read straight from the server's database (what is really stored)."""
        return query(self.env["DATABASE_URL"], sql, params)

    def full_log(self):
        try:
            return Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""

    def mark(self):
        """The log's length now: pass it to access()/errors() to see only what follows."""
        return len(self.full_log())

    def access(self, since=0):
        """[(pid, method, path, status)] from the access log after `since`, in order."""
        rows = []
        for line in self.full_log()[since:].splitlines():
            m = ACCESS_LINE.match(line)
            if m:
                rows.append((int(m.group(1)), m.group(2), m.group(3), int(m.group(4))))
        return rows

    def errors(self, since=0):
        """Log lines after `since` that tell of a server-side error (tracebacks, "database
        is locked", worker timeouts)."""
        return [line for line in self.full_log()[since:].splitlines()
                if any(m in line for m in ERROR_MARKERS)]


class AppServer(LiveServer):
    """One of a group of servers sharing one database (2 sync workers by default).

    The database is not migrated here: call `migrate(env)` once for the group.
    """

    def __init__(self, workdir, env, workers=2, name="server", start_timeout=45.0):
        super().__init__(workdir, env, workers=workers, name=name, start_timeout=start_timeout)

    def migrate(self):
        """Nothing: the group's database is migrated once, by `migrate(env)`."""


@contextlib.contextmanager
def running(servers):
    """Start every server in `servers`; stop all of them on the way out, whatever happens."""
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


# --- a tiny browser ---------------------------------------------------------------------
class Client(Browser):
    """One browser over `servers` (base URLs or servers): one cookie jar for all of them,
    the page's CSRF token, no redirects followed (the status is what is checked).

    Requests go round robin over the servers unless `server=` says which. Every
    response is recorded in `self.responses`, with its time.
    """

    def __init__(self, servers, name="client"):
        super().__init__(*servers, timeout=REQUEST_TIMEOUT)
        self.name = name
        self.responses = []

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        self.responses.append(response)
        return response

    # --- site actions (each asserts the expected redirect) ----------------------------------
    def join(self, username, password=PASSWORD, server=None):
        """Create an account through /join/; the session is then logged in."""
        r = self.post("/join/", {"username": username, "email": f"{username}@example.org",
                                 "password": password}, server=server)
        assert r.status == 302, f"join {username}: {r!r}\n{r.text[:2000]}"
        self.refresh_csrf(server=server)  # the token is bound to the session: read it again
        return r

    def login(self, username, password=PASSWORD, server=None):
        r = super().login(username, password, server=server)
        assert r.status == 302, f"login {username}: {r!r}\n{r.text[:2000]}"
        self.refresh_csrf(server=server)
        return r


def nav_user(html):
    """The username in the navigation bar's `a.me` link (the logged-in user), or None."""
    m = re.search(r'<a\b[^>]*class="me"[^>]*>\s*([^<\s]+)\s*</a>', html)
    return m.group(1) if m else None


# --- load --------------------------------------------------------------------------------
def run_threads(functions, deadline_s):
    """Run each function in a thread of its own, all started together; return their exceptions.

    Fails (AssertionError) when a thread is still running after `deadline_s`
    seconds: the loops themselves are bounded in count, this bounds them in time.
    """
    errors = [None] * len(functions)
    start = threading.Barrier(len(functions))

    def wrap(i, fn):
        try:
            start.wait(timeout=30)
            fn()
        except BaseException as e:  # reported to the test
            errors[i] = e

    threads = [threading.Thread(target=wrap, args=(i, fn), daemon=True)
               for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    end = time.monotonic() + deadline_s
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, f"clients still running after {deadline_s} s: {alive}"
    return [e for e in errors if e is not None]


def latency_summary(responses):
    """max / p50 / p99 in milliseconds of a list of responses."""
    times = sorted(r.elapsed * 1000 for r in responses)
    if not times:
        return {"n": 0, "max_ms": 0.0, "p50_ms": 0.0, "p99_ms": 0.0}
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return {"n": len(times), "max_ms": round(times[-1], 1), "p50_ms": round(pick(0.50), 1),
            "p99_ms": round(pick(0.99), 1)}


def status_counts(responses):
    return dict(sorted(Counter(r.status for r in responses).items()))


# --- the database, read directly ------------------------------------------------------------
def query(database_url, sql, params=()):
    """Rows of `sql` (placeholders `%s`) read straight from the server's database.

    SQLite: the file of a `sqlite:///` URL. PostgreSQL: psycopg2 with the same URL,
    so the `options=-csearch_path=<schema>` of tests/conftest.py applies too.
    """
    if database_url.startswith("sqlite"):
        import sqlite3
        path = database_url[len("sqlite:///"):]
        con = sqlite3.connect(path, timeout=10)
        try:
            return con.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            con.close()
    import psycopg2
    url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", database_url)
    con = psycopg2.connect(url, connect_timeout=5)
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def unique_tag():
    """A short tag for usernames and message texts of one test run ([a-z0-9], 6 chars)."""
    return secrets.token_hex(3)
