"""Helpers for the multi-worker / multi-server tests (tests/test_servers.py).

Everything goes through real HTTP on 127.0.0.1, with the standard library only:

- `AppServer` is tests/browser_support.py's `LiveServer` with a given
  environment and number of sync workers, and an access log that names the
  worker (pid) behind each request;
- `server_env()` / `migrate()` build the environment of a group of servers and
  migrate their database once; `running()` starts several servers and always
  stops them all;
- `Client` is a tiny browser: one cookie jar (cookies are not scoped by port,
  so the same session goes to every server on 127.0.0.1), the CSRF token from
  `<meta name="csrf-token">`, no redirects followed, every request timed and
  its status recorded;
- `run_threads()` runs N client functions at once, bounded in time;
- `query()` reads the database directly (sqlite3 or psycopg2): what was really
  stored, not what a page shows.
"""
import contextlib
import http.client
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

try:  # a package when tests/__init__.py exists, a rootdir module otherwise
    from . import browser_support as bs
except ImportError:
    import browser_support as bs

LOOPBACK = bs.LOOPBACK
REPO_ROOT = bs.REPO_ROOT
PASSWORD = "correct-horse-battery"
# Same algorithm as production with a small cost: a login costs a few ms, not 100.
CHEAP_HASH = "scrypt:1024:8:1"
REQUEST_TIMEOUT = 30.0  # seconds, per request (SQLite's busy timeout is 10 s)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# `<pid>` of the worker, then the request line and the status (see AppServer.start).
ACCESS_LINE = re.compile(r'^ACCESS <(\d+)> "([A-Z]+) (\S+) [^"]*" (\d{3}) ')
ERROR_MARKERS = ("Traceback", "database is locked", "WORKER TIMEOUT", "OperationalError",
                 "IntegrityError", "Exception on ")


# --- servers ---------------------------------------------------------------------------
def server_env(database_url, secret_key=None, **extra):
    """The environment of a tweepee server: database, shared secret key, cheap hashes, no Gravatar."""
    env = dict(os.environ,
               DATABASE_URL=database_url,
               SECRET_KEY=secret_key or secrets.token_hex(32),
               GRAVATAR="0",
               PASSWORD_HASH_METHOD=CHEAP_HASH,
               PYTHONUNBUFFERED="1",
               **extra)
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


class AppServer(bs.LiveServer):
    """tweepee under gunicorn with `workers` sync workers and the given environment.

    The database is not migrated here (a group of servers shares one database:
    call `migrate(env)` once). The access log lines start with `ACCESS <pid>`,
    so a test can tell which worker served which request.
    """

    def __init__(self, workdir, env, workers=2, name="server", start_timeout=45.0):
        super().__init__(workdir, start_timeout=start_timeout)
        self.env = dict(env)
        self.workers = workers
        self.name = name
        self.log_path = self.workdir / f"{name}.log"

    def start(self):
        """Start gunicorn (no migration: see the class docstring) and wait until it answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        return self.launch()

    def gunicorn_args(self):
        return ["--workers", str(self.workers), "--worker-class", "sync",
                "--access-logfile", "-",
                "--access-logformat", 'ACCESS %(p)s "%(r)s" %(s)s %(L)s']

    def full_log(self):
        try:
            return self.log_path.read_text(errors="replace")
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
class Response:
    def __init__(self, status, headers, body, elapsed, url):
        self.status, self.headers, self.body, self.elapsed, self.url = (status, headers, body,
                                                                        elapsed, url)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        return self.headers.get("Location")

    def __repr__(self):
        return f"<{self.status} {self.url} {self.elapsed * 1000:.0f} ms>"


class Client:
    """One browser: a cookie jar shared by every server on 127.0.0.1, the page's CSRF token.

    `servers` are base URLs; requests go to `server=` (an index or URL), or round
    robin over the servers when none is given. Redirects are not followed (the
    status is what is checked). Every response is recorded in `self.responses`.
    """

    def __init__(self, servers, name="client"):
        self.servers = [s if isinstance(s, str) else s.url for s in servers]
        self.name = name
        self.cookies = {}
        self.csrf = None
        self.responses = []
        self._next = 0

    def _base(self, server):
        if server is None:
            base = self.servers[self._next % len(self.servers)]
            self._next += 1
            return base
        return self.servers[server] if isinstance(server, int) else server

    def _store_cookies(self, headers):
        for header in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                expired = (morsel["max-age"] == "0"
                           or (morsel["expires"] and "1970" in morsel["expires"]))
                if expired or morsel.value == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value

    def request(self, method, path, form=None, server=None, timeout=REQUEST_TIMEOUT):
        base = self._base(server)
        parts = urlsplit(base)
        headers = {"Host": parts.netloc, "Connection": "close"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
        finally:
            conn.close()
        response = Response(raw.status, raw.headers, data, time.perf_counter() - started,
                            base + path)
        self._store_cookies(raw.headers)
        self.responses.append(response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        """POST a form with the CSRF token of the last page read (fetched once if none yet)."""
        if self.csrf is None:
            self.refresh_csrf(server=kwargs.get("server"))
        return self.request("POST", path, form={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def refresh_csrf(self, server=None):
        page = self.get("/public/", server=server)
        match = CSRF_META.search(page.text)
        if page.status != 200 or not match:
            raise AssertionError(f"{self.name}: no CSRF token on /public/ ({page!r})")
        self.csrf = match.group(1)
        return self.csrf

    # --- site actions (each asserts the expected redirect) ----------------------------------
    def join(self, username, password=PASSWORD, server=None):
        """Create an account through /join/; the session is then logged in."""
        r = self.post("/join/", {"username": username, "email": f"{username}@example.org",
                                 "password": password}, server=server)
        assert r.status == 302, f"join {username}: {r!r}\n{r.text[:2000]}"
        self.refresh_csrf(server=server)  # the token is bound to the session: read it again
        return r

    def login(self, username, password=PASSWORD, server=None):
        r = self.post("/login/", {"username": username, "password": password}, server=server)
        assert r.status == 302, f"login {username}: {r!r}\n{r.text[:2000]}"
        self.refresh_csrf(server=server)
        return r

    def server_errors(self):
        return [r for r in self.responses if r.status >= 500]


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
