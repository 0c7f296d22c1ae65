"""Load generators: wrk when it is on PATH, else a small Python one.

Both hold CONNECTIONS connections to one URL for a fixed time and return a Load:
requests per second, the median and 99th percentile latency, and how many
responses were not 200 or set a cookie (a logged-in page should do neither).
"""
import http.client
import json
import os
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass

CONNECTIONS = 8
WRK_THREADS = 2
HOST = "127.0.0.1"
WRK_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wrk_report.lua")
REQUEST_TIMEOUT = 30  # seconds: a response slower than this counts as an error


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    not_ok: int  # responses whose status was not 200
    set_cookie: int  # responses that carried a Set-Cookie header
    errors: int  # connection errors and timeouts

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self):
        return dict(asdict(self), rps=round(self.rps, 1))


def find_wrk(install=True, log=print):
    """Return the path of wrk; when it is missing, try Debian's package if we are root.

    Returns None when wrk cannot be had: the Python generator is used instead.
    Set BENCH_INSTALL_WRK=0 to never try apt-get.
    """
    path = shutil.which("wrk")
    if path or not install or os.environ.get("BENCH_INSTALL_WRK") == "0":
        return path
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    log("wrk is missing: trying `apt-get install -y wrk` (BENCH_INSTALL_WRK=0 to skip)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "install", "-y", "-q", "wrk"],
                    ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "wrk"]):
        if shutil.which("wrk"):
            break
        try:
            subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            log(f"`{' '.join(command)}` took too long")
            break
    return shutil.which("wrk")


def wrk_version(wrk):
    """The first line wrk prints about itself, e.g. 'wrk 4.1.0 [epoll] ...'."""
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    first = (result.stdout or result.stderr).strip().splitlines()[0]
    return first.split(" Copyright")[0]


def run_wrk(wrk, port, path, cookie, seconds):
    """Load `path` with wrk for `seconds`; returns a Load."""
    command = [wrk, "-t", str(WRK_THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s",
               "--timeout", f"{REQUEST_TIMEOUT}s", "-s", WRK_SCRIPT]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://{HOST}:{port}{path}")
    result = subprocess.run(command, capture_output=True, text=True,
                            timeout=seconds + REQUEST_TIMEOUT + 30)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH-JSON ")),
                None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures (status {result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    figures = json.loads(line.split(" ", 1)[1])
    return Load(requests=figures["requests"], seconds=figures["duration_us"] / 1e6,
                p50_ms=figures["p50_us"] / 1000, p99_ms=figures["p99_us"] / 1000,
                not_ok=figures["not_ok"], set_cookie=figures["set_cookie"],
                errors=figures["errors"])


class _Connection(threading.Thread):
    """One client connection of the Python generator: GET `path` again and again until
    `deadline`, reconnecting whenever the server closes (gunicorn's sync workers always do)."""

    def __init__(self, port, path, headers, start, deadline):
        super().__init__(daemon=True)
        self.port, self.path, self.headers = port, path, headers
        self.start_event, self.deadline = start, deadline
        self.latencies, self.not_ok, self.set_cookie, self.errors = [], 0, 0, 0
        self.last_finish = None

    def run(self):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        self.start_event.wait()
        while (started := time.perf_counter()) < self.deadline[0]:
            try:
                conn.request("GET", self.path, headers=self.headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                continue
            finished = time.perf_counter()
            self.latencies.append(finished - started)
            self.last_finish = finished
            self.not_ok += response.status != 200
            self.set_cookie += response.getheader("Set-Cookie") is not None
        conn.close()


def run_python(port, path, cookie, seconds):
    """Load `path` with CONNECTIONS threads (http.client, keep-alive when the server allows
    it) for `seconds`; returns a Load. Bound by one Python process: see bench/README.md."""
    headers = {"Cookie": cookie} if cookie else {}
    start, deadline = threading.Event(), [0.0]
    threads = [_Connection(port, path, headers, start, deadline) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.set()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT + 5)
    latencies = sorted(lat for thread in threads for lat in thread.latencies)
    finishes = [thread.last_finish for thread in threads if thread.last_finish]
    elapsed = (max(finishes) - began) if finishes else seconds
    return Load(requests=len(latencies), seconds=elapsed,
                p50_ms=percentile(latencies, 50) * 1000, p99_ms=percentile(latencies, 99) * 1000,
                not_ok=sum(t.not_ok for t in threads),
                set_cookie=sum(t.set_cookie for t in threads),
                errors=sum(t.errors for t in threads))


def percentile(sorted_values, pct):
    """The nearest-rank percentile `pct` of `sorted_values` (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class LoadGenerator:
    """wrk if available, else the Python generator; `name` says which, for the report."""

    def __init__(self, wrk=None):
        self.wrk = wrk
        self.name = wrk_version(wrk) if wrk else (
            f"Python threads + http.client ({CONNECTIONS} connections)")

    def run(self, port, path, cookie, seconds):
        """Load http://127.0.0.1:`port``path` for `seconds` with `cookie`; returns a Load."""
        if self.wrk:
            return run_wrk(self.wrk, port, path, cookie, seconds)
        return run_python(port, path, cookie, seconds)
