"""Start and stop gunicorn servers on 127.0.0.1, and read their workers' memory.

The one place that launches gunicorn, for the benchmark and for the tests
(tests/server_support.py subclasses `Server` for tweepee): a free port, a
bounded wait until the server answers, and a stop that always ends the
server. Every server runs in a session of its own, so a Ctrl-C in the terminal
reaches the caller only, and the caller stops each server it started (SIGTERM
to its master, then SIGKILL to its process group after a bounded wait).
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

WORKERS = 2
HOST = "127.0.0.1"
READY_TIMEOUT = 60  # seconds for a server to answer its first request
STOP_TIMEOUT = 10  # seconds for a graceful stop before SIGKILL


class ServerError(RuntimeError):
    """A server did not start, or died."""


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master (`workers` sync workers) serving `app` from `cwd`.

    - `env`: the server's whole environment (default: a copy of this process's);
    - `options`: more gunicorn options (the benchmark's timeouts and log level,
      the tests' access log);
    - ready when `ready_path` answers (with `ready_status`, or anything when it
      is None) and every worker is forked, within `start_timeout` seconds;
    - the server's stdout and stderr (gunicorn's logs) go to `log_path`.

    Use it as a context manager: the server is up inside the block and stopped
    when the block ends, however it ends.
    """

    def __init__(self, name, app, cwd, log_path, env=None, ready_path="/", ready_status=None,
                 workers=WORKERS, start_timeout=READY_TIMEOUT, options=()):
        self.name, self.app, self.cwd, self.log_path = name, app, str(cwd), str(log_path)
        self.ready_path = ready_path  # a cheap page
        self.ready_status = ready_status
        self.workers = workers
        self.start_timeout = start_timeout
        self.options = list(options)
        self.env = dict(os.environ if env is None else env)
        self.port = None
        self.process = None

    @property
    def url(self):
        """The base URL, http://127.0.0.1:<port> (the port is chosen by start())."""
        return f"http://{HOST}:{self.port}"

    def command(self):
        """The gunicorn command line: sync workers, our port, no control socket, `options`."""
        return [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                "--worker-class", "sync", "--bind", f"{HOST}:{self.port}", "--chdir", self.cwd,
                "--no-control-socket", *self.options, self.app]

    def start(self):
        """Start gunicorn on a free port and wait until it answers; returns self."""
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.port = free_port()
        with open(self.log_path, "w") as log:  # a fresh log for each start
            self.process = subprocess.Popen(self.command(), cwd=self.cwd, env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self):
        """Wait until the server is ready (see the class docstring); ServerError when it
        dies or times out."""
        deadline = time.monotonic() + self.start_timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with status {self.process.returncode}"
                                  f"\n{self.log_tail()}")
            try:
                status = self.ping(timeout=5)
                last = f"{self.ready_path} answered {status}"
                if (self.ready_status in (None, status)
                        and len(self.worker_pids()) >= self.workers):
                    return
            except (OSError, http.client.HTTPException) as exc:
                last = exc
            time.sleep(0.2)
        raise ServerError(f"{self.name} was not ready on {self.url} within "
                          f"{self.start_timeout:.0f} s (last: {last})\n{self.log_tail()}")

    def ping(self, timeout):
        """GET `ready_path` on a fresh connection; returns the status."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request("GET", self.ready_path)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def drain(self, timeout=READY_TIMEOUT * 2):
        """Wait until every worker is free: one request to `ready_path` per worker at once.

        They queue behind whatever the workers still have to serve (requests a load
        generator gave up on), so they return once that is done.
        """
        threads = [threading.Thread(target=self._ping_quietly, args=(timeout,), daemon=True)
                   for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)

    def _ping_quietly(self, timeout):
        try:
            self.ping(timeout)
        except (OSError, http.client.HTTPException):
            pass

    def log_tail(self, lines=40):
        """The last lines of the server's log, for error messages."""
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def check_alive(self):
        """Raise ServerError when the master has exited."""
        if self.process is None or self.process.poll() is not None:
            raise ServerError(f"{self.name} is not running\n{self.log_tail()}")

    def worker_pids(self):
        """The pids of the master's child processes (the workers)."""
        return child_pids(self.process.pid) if self.process else []

    def worker_rss_mb(self):
        """Each worker's resident memory in MB (VmRSS), in pid order."""
        return [rss for rss in (rss_mb(pid) for pid in sorted(self.worker_pids()))
                if rss is not None]

    def stop(self):
        """Stop the server: SIGTERM to the master, SIGKILL to its group after STOP_TIMEOUT."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            kill_group(process)
        except ProcessLookupError:
            pass
        finally:
            kill_group(process)  # leftovers of a crashed master, if any

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def kill_group(process):
    """SIGKILL the process group led by `process` (started with start_new_session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pass


def child_pids(parent):
    """The pids whose parent is `parent`, read from /proc/<pid>/stat."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            children.append(int(entry))
    return children


def rss_mb(pid):
    """The resident memory of `pid` in MB (VmRSS of /proc/<pid>/status), or None if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
