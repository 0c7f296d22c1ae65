"""Benchmark tweepee against the peewee twitter example and a bare Flask route.

    python -m bench.run [--quick] [--sets small,large] [--duration S] [--runs N] ...

(`make bench`, `make bench-quick`). For each data set it serves tweepee, the
peewee example and the ceiling with gunicorn in turn, logs in, loads each page
for a fixed time at 8 connections, and prints one table; see bench/README.md.
It measures; it asserts nothing about time.
"""
import argparse
import datetime
import json
import math
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import quote

from . import datasets, example, report
from .client import Browser, LoginError
from .datasets import DEMO_PASSWORD, REPO, SETS
from .load import CONNECTIONS, LoadGenerator, find_wrk
from .servers import WORKERS, Server

RESULTS_DIR = os.path.join(REPO, "bench", "results")
WORK_DIR = os.path.join(datasets.DATA_DIR, "work")  # per-run copies, removed at the end
QUERYCOUNT_TIMEOUT = 600
MIN_REQUESTS = 20  # a page this slow gets longer runs, so that each run counts this many
MAX_RUN_SECONDS = 60
# API_LIMIT_PER_TOKEN for the benched server: counts per token or address like the site's,
# but 300 per minute throttled wrk (one address) into thousands of 429s a run
UNREACHABLE_API_LIMIT = "1000000000 per minute"
GUNICORN_OPTIONS = ["--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"]


@dataclass
class Settings:
    sets: list
    warmup: int  # seconds of load before each page's measured runs, not counted
    duration: int  # seconds of one measured run
    runs: int  # measured runs per page; the report shows the median run
    seed: int
    deep_pages: int  # how far back the deep page is
    database_url: str  # BENCH_DATABASE_URL: tweepee on PostgreSQL; '' for SQLite
    quick: bool


@dataclass
class Target:
    """One page of one app to load: who is logged in, and the URL."""
    page: str  # key in report.PAGES
    path: str
    browser: Browser  # holds the session cookie ('' when nobody is logged in)
    username: str = None


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small data set only, one 5 s run per page after 1 s of warm-up")
    parser.add_argument("--sets", help="comma-separated data sets (small,large; huge: 10,000,000 "
                        "messages)")
    parser.add_argument("--duration", type=int, help="seconds per measured run (default 5)")
    parser.add_argument("--runs", type=int, help="measured runs per page (default 3; quick 1)")
    parser.add_argument("--warmup", type=int,
                        help="seconds of warm-up per page (default 2; quick 1)")
    parser.add_argument("--seed", type=int, default=1, help="seed_data.py --seed (default 1)")
    parser.add_argument("--deep-pages", type=int, default=500,
                        help="how many pages back the deep page is (default 500)")
    args = parser.parse_args(argv)
    sets = (args.sets or ("small" if args.quick else "small,large")).split(",")
    unknown = [name for name in sets if name not in SETS]
    if unknown:
        parser.error(f"unknown data set(s): {', '.join(unknown)} (choose from {', '.join(SETS)})")
    return Settings(
        sets=sets, seed=args.seed, deep_pages=args.deep_pages, quick=args.quick,
        warmup=args.warmup if args.warmup is not None else (1 if args.quick else 2),
        duration=args.duration or 5,
        runs=args.runs or (1 if args.quick else 3),
        database_url=os.environ.get("BENCH_DATABASE_URL", ""),
    )


class Bench:
    """One benchmark run: its settings, the load generator, and the results so far."""

    def __init__(self, settings, loadgen):
        self.settings, self.loadgen = settings, loadgen
        self.started = time.monotonic()
        self.secret_key = secrets.token_hex(32)  # shared by tweepee's two workers
        self.results = {
            "started": utc_now(), "command": " ".join(["python -m bench.run"] + sys.argv[1:]),
            "mode": "quick" if settings.quick else "full",
            "settings": {"warmup_s": settings.warmup, "duration_s": settings.duration,
                         "runs": settings.runs, "connections": CONNECTIONS, "workers": WORKERS,
                         "seed": settings.seed, "deep_pages": settings.deep_pages},
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                        "load_average_start": round(os.getloadavg()[0], 2),
                        "load_generator": loadgen.name,
                        "tweepee_database": "postgresql" if settings.database_url else "sqlite"},
            "sets": settings.sets, "datasets": {}, "rows": [], "memory": {}, "warnings": [],
        }

    # --- progress ------------------------------------------------------------------
    def log(self, message):
        """Print a progress line to stderr, stamped with the seconds since the start."""
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)

    def warn(self, message):
        self.results["warnings"].append(message)
        self.log(f"WARNING: {message}")

    # --- the run -------------------------------------------------------------------
    def run(self):
        """Bench every data set in turn; returns the results dict."""
        example_dir = example.ensure_example(self.log)
        for name in self.settings.sets:
            self.bench_dataset(SETS[name], example_dir)
        self.results["finished"] = utc_now()
        self.results["elapsed_s"] = round(time.monotonic() - self.started, 1)
        return self.results

    def bench_dataset(self, dataset, example_dir):
        """Seed (or reuse) `dataset`, then bench the ceiling, tweepee and the example on it."""
        source_db, figures = datasets.ensure_sqlite(dataset, self.settings.seed, self.log)
        info = {"description": dataset.describe(), "seeding": figures}
        self.results["datasets"][dataset.name] = info
        tweepee_url = self.tweepee_database(dataset, source_db, figures, info)
        info["profile_user"] = datasets.busiest_user(tweepee_url)
        self.log(f"{dataset.name}: profile page of {info['profile_user']!r} (most messages)")
        info["message_id"] = datasets.newest_message(tweepee_url)
        info["thread_id"] = datasets.busiest_thread(tweepee_url)
        info["search_common"], info["search_rare"] = datasets.search_words(tweepee_url)
        info["tag"] = datasets.top_tag(tweepee_url)
        self.log(f"{dataset.name}: search for {info['search_common']!r} (common) and "
                 f"{info['search_rare']!r} (rare), tag page #{info['tag']}")
        info["power_follows"] = datasets.add_power_user(tweepee_url)
        self.log(f"{dataset.name}: {datasets.POWER_USER!r} follows {info['power_follows']:,} accounts")
        self.bench_ceiling(dataset)
        self.bench_tweepee(dataset, tweepee_url, info)
        if not dataset.with_example:
            self.log(f"{dataset.name}: the peewee example is not benched on this set "
                     "(its pages take seconds to minutes here)")
            return
        example_db = example.ensure_database(example_dir, source_db, figures, self.log)
        workdir = example.prepare_workdir(example_dir, example_db,
                                          os.path.join(WORK_DIR, f"example-{dataset.name}"))
        self.bench_example(dataset, workdir, info)

    def tweepee_database(self, dataset, source_db, figures, info):
        """The database tweepee serves: a migrated copy of the cached file, or PostgreSQL
        seeded with the same seed and anchor (BENCH_DATABASE_URL)."""
        url = self.settings.database_url
        if url:
            info["seeding_postgres"] = datasets.seed_postgres(
                dataset, self.settings.seed, figures["now"], url, self.log)
        else:
            os.makedirs(WORK_DIR, exist_ok=True)
            copy = os.path.join(WORK_DIR, f"tweepee-{dataset.name}.db")
            datasets.remove_sqlite(copy)
            shutil.copyfile(source_db, copy)
            url = datasets.sqlite_url(copy)
        self.log(f"{dataset.name}: migrations: {datasets.migrate(url, self.secret_key)}")
        return url

    def server(self, dataset, name, app, cwd, env=None, ready_path="/"):
        """A Server with the benchmark's settings: WORKERS sync workers, no access log, only
        warnings in the log, a long worker timeout for the example's slow deep pages."""
        log_path = os.path.join(RESULTS_DIR, "logs", f"{dataset.name}-{name}.log")
        return Server(name, app, cwd, log_path, env=dict(os.environ, **(env or {})),
                      ready_path=ready_path, workers=WORKERS, options=GUNICORN_OPTIONS)

    def bench_ceiling(self, dataset):
        """The bare Flask route, anonymous."""
        with self.server(dataset, "ceiling", "bench.ceiling:app", REPO) as server:
            targets = [Target("ceiling", "/", Browser(server))]
            self.load_targets(dataset, "ceiling", server, targets)

    def bench_tweepee(self, dataset, url, info):
        """tweepee: the public pages as demo, the back office as admin. The API's limit is
        set out of reach (UNREACHABLE_API_LIMIT): its counting is still measured, but the
        load generator, one address, is never throttled into 429s."""
        env = {"DATABASE_URL": url, "SECRET_KEY": self.secret_key,
               "API_LIMIT_PER_TOKEN": UNREACHABLE_API_LIMIT}
        with self.server(dataset, "tweepee", "adminapp:create_app()", REPO, env,
                         ready_path="/login/") as server:
            demo = self.logged_in(server, "demo", check="/private/")
            power = self.logged_in(server, datasets.POWER_USER, check="/private/")
            admin = self.logged_in(server, "admin", check="/admin/")
            deep = self.deep_page(demo, "/public/", info, "tweepee")
            targets = [
                Target("home", "/", demo, "demo"),
                Target("home_power", "/", power, datasets.POWER_USER),
                Target("public", "/public/", demo, "demo"),
                Target("profile", f"/users/{info['profile_user']}/", demo, "demo"),
                Target("deep", deep, demo, "demo"),
                Target("message", f"/messages/{info['message_id']}/", demo, "demo"),
                Target("thread", f"/messages/{info['thread_id']}/", demo, "demo"),
                Target("notifications", "/notifications/", demo, "demo"),
                Target("search_common", f"/search/?q={info['search_common']}", demo, "demo"),
                Target("search_rare", f"/search/?q={info['search_rare']}", demo, "demo"),
                Target("tag", f"/tags/{quote(info['tag'] or 'none')}/", demo, "demo"),
                # JSON, no template; the API reads no cookie: the visitor's view
                Target("api_public", "/api/v1/timelines/public", demo, "demo"),
                Target("admin", "/admin/", admin, "admin"),
                Target("admin_messages", "/admin/message/", admin, "admin"),
                Target("admin_search", f"/admin/message/?search={info['search_common']}",
                       admin, "admin"),
                Target("admin_reports", "/admin/report/", admin, "admin"),
                Target("admin_users", "/admin/user/", admin, "admin"),
            ]
            rows = self.load_targets(dataset, "tweepee", server, targets)
        self.count_queries(rows, targets, {"app": "tweepee"}, env)

    def bench_example(self, dataset, workdir, info):
        """The peewee example, logged in as demo; its deep page is ?page=N."""
        with self.server(dataset, "example", "app:app", workdir, ready_path="/login/") as server:
            demo = self.logged_in(server, "demo", check="/following/")
            targets = [
                Target("home", "/", demo, "demo"),
                Target("public", "/public/", demo, "demo"),
                Target("profile", f"/users/{info['profile_user']}/", demo, "demo"),
                Target("deep", self.example_deep_page(info), demo, "demo"),
            ]
            rows = self.load_targets(dataset, "example", server, targets)
        self.count_queries(rows, targets, {"app": "example", "dir": workdir}, None)

    def example_deep_page(self, info):
        """The example pages with ?page=N: deep_pages back from the first is page deep_pages + 1."""
        path = f"/public/?page={self.settings.deep_pages + 1}"
        info.setdefault("deep_page", {})["example"] = path
        return path

    def logged_in(self, server, username, check):
        """A Browser logged in as `username`; `check` is a page only a logged-in user gets."""
        browser = Browser(server)
        browser.login(username, DEMO_PASSWORD)
        reply = browser.get(check)
        if reply.status != 200:
            raise LoginError(f"{server.name}: logged in as {username}, {check} answered "
                             f"{reply.status}")
        return browser

    def deep_page(self, browser, start, info, app):
        """Follow rel="next" deep_pages times from `start`; returns the URL reached."""
        wanted = self.settings.deep_pages
        began = time.monotonic()
        path, steps = browser.follow_next(start, wanted)
        if steps < wanted:
            self.warn(f"{app}: {start} has only {steps + 1} pages; the deep page is the last one")
        self.log(f"{app}: deep page after {steps} 'next' links ({time.monotonic() - began:.1f} s): "
                 f"{path}")
        info.setdefault("deep_page", {})[app] = path
        return path

    def load_targets(self, dataset, app, server, targets):
        """Settle the sessions, check every page answers 200, load each; returns the rows."""
        for browser in {id(t.browser): t.browser for t in targets}.values():
            paths = [t.path for t in targets if t.browser is browser]
            if browser.cookies and not browser.settle(paths):
                self.warn(f"{dataset.name}/{app}: a page still sets a cookie on every response")
        rows = []
        for target in targets:
            began = time.perf_counter()
            status = target.browser.get(target.path).status
            seconds = self.run_seconds(time.perf_counter() - began)
            if status != 200:
                self.warn(f"{dataset.name}/{app}: {target.path} answered {status}, not 200")
            self.log(f"{dataset.name}/{app}: loading {target.path}"
                     + (f" ({seconds} s per run: a slow page)" if seconds > self.settings.duration
                        else ""))
            runs = self.measure(server, target.path, target.browser.cookie_header(), seconds)
            rows.append(make_row(dataset.name, app, target, status, runs, seconds))
            row = rows[-1]
            self.log(f"{dataset.name}/{app}: {target.path}: {row['rps']:,.1f} req/s, "
                     f"p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms")
        self.results["memory"].setdefault(dataset.name, {})[app] = server.worker_rss_mb()
        self.results["rows"].extend(rows)
        return rows

    def run_seconds(self, single):
        """How long one run of a page lasts: the set duration, or longer for a page so slow
        (`single` s for one request alone) that a run would finish fewer than MIN_REQUESTS."""
        needed = math.ceil(single * (MIN_REQUESTS + CONNECTIONS) / WORKERS)
        return max(self.settings.duration, min(MAX_RUN_SECONDS, needed))

    def measure(self, server, path, cookie, seconds):
        """A warm-up run (not kept), then the measured runs; returns their Loads.

        After each run the server is drained: the requests the load generator
        left unanswered at the end are still served, and must not eat into the next run.
        """
        if self.settings.warmup:
            self.loadgen.run(server.port, path, cookie, self.settings.warmup)
            server.drain()
        runs = []
        for _ in range(self.settings.runs):
            runs.append(self.loadgen.run(server.port, path, cookie, seconds))
            server.drain()
        server.check_alive()
        return runs

    def count_queries(self, rows, targets, spec, env):
        """Fill each row's "queries" with the in-process counts (bench/querycount.py)."""
        logins = {}
        for target in targets:
            login = logins.setdefault(target.username, {"username": target.username,
                                                        "password": DEMO_PASSWORD, "paths": []})
            login["paths"].append(target.path)
        spec = dict(spec, logins=list(logins.values()))
        command = [sys.executable, "-m", "bench.querycount", json.dumps(spec)]
        try:
            result = subprocess.run(command, cwd=REPO, env=dict(os.environ, **(env or {})),
                                    capture_output=True, text=True, timeout=QUERYCOUNT_TIMEOUT)
            if result.returncode != 0:
                raise RuntimeError(result.stderr.strip()[-2000:])
            found = json.loads(result.stdout.splitlines()[-1])
            counted = {(r["username"], r["path"]): r for r in found}
        except (RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as exc:
            self.warn(f"{spec['app']}: counting queries failed: {exc}")
            return
        for row, target in zip(rows, targets):
            page = counted.get((target.username, target.path))
            if page:
                row["queries"] = page["counts"]
                if page["status"] != 200:
                    self.warn(f"{spec['app']}: {target.path} answered {page['status']} in-process: "
                              "its query count is that of the error page")


def make_row(dataset, app, target, status, runs, seconds):
    """One line of the table: the median run (by req/s) of `runs`, and the others' figures."""
    median = sorted(runs, key=lambda load: load.rps)[(len(runs) - 1) // 2]
    return {
        "dataset": dataset, "app": app, "page": target.page, "path": target.path,
        "user": target.username, "status": status, "run_seconds": seconds,
        "rps": median.rps, "p50_ms": median.p50_ms, "p99_ms": median.p99_ms,
        "runs_rps": [round(load.rps, 1) for load in runs],
        "rps_spread": round(statistics.pstdev([load.rps for load in runs]), 1),
        "requests": sum(load.requests for load in runs),
        "not_ok": sum(load.not_ok for load in runs),
        "errors": sum(load.errors for load in runs),
        "set_cookie": sum(load.set_cookie for load in runs),
        "queries": None,
    }


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def stop_on_signals():
    """Make SIGINT a KeyboardInterrupt (even when started with it ignored) and SIGTERM and
    SIGHUP a SystemExit, so that the servers are stopped on the way out."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def main(argv=None):
    settings = parse_args(argv)
    stop_on_signals()
    try:
        bench = Bench(settings, LoadGenerator(find_wrk(log=lambda m: print(m, file=sys.stderr))))
        bench.log(f"load generator: {bench.loadgen.name}")
        results = bench.run()
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:  # a server, a login, a seeding or a download that failed
        print(f"\nbench failed: {exc}\n(server logs: {os.path.relpath(RESULTS_DIR, REPO)}/logs/)",
              file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(WORK_DIR, ignore_errors=True)
    print(report.text(results))
    paths = report.save(results, RESULTS_DIR)
    print(f"\nwritten: {', '.join(os.path.relpath(p, REPO) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
