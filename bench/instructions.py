"""Compare two versions of tweepee page by page in CPU instructions per request (valgrind).

    .venv/bin/python -m bench.instructions --a ../before --b . --db sqlite:///bench/data/x.db \\
        --user demo / /public/ /users/demo/

Wall-clock figures need a quiet machine; instruction counts do not: a process run under
valgrind's callgrind executes the same instructions whatever else the machine is doing.
For each version and page, two processes serve the page through Flask's test client
(logged in as `--user`, after the same warm-up): one stops there, the other serves
`--requests` more; the difference divided by `--requests` is the page's cost. Each run
takes a minute or two (valgrind is about 50 times slower), `--jobs` of them at a time.
Instructions are not time (a cache miss costs more than an add), but a change that
takes a tenth of the instructions away takes about a tenth of the time.
Needs `valgrind` (Debian: apt-get install valgrind). It measures and prints; it asserts
nothing.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench.ab import logged_in_client

WORKER = "bench-instructions-worker"
WARM_UP = 20


def worker(repo, database_url, user, path, requests):
    """Serve `path` WARM_UP times, then `requests` more (the part the caller measures)."""
    client = logged_in_client(repo, database_url, user)
    for _ in range(WARM_UP):
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path}: {status}")
    for _ in range(int(requests)):
        client.get(path)


def instructions(repo, database_url, user, path, requests):
    """The instructions a worker process executed in all (callgrind's total)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/cg.out",
             sys.executable, "-m", "bench.instructions", WORKER, repo, database_url, user,
             path, str(requests)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not found:
        raise SystemExit(f"{repo} {path}: the worker failed\n{out.stderr[-2000:]}")
    return int(found.group(1))


def per_request(pool, repo, args, path):
    """A future of the page's instructions per request in version `repo`."""
    runs = [pool.submit(instructions, repo, args.db, args.user, path, n)
            for n in (0, args.requests)]
    return lambda: (runs[1].result() - runs[0].result()) / args.requests


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="checkout of version A (the before)")
    parser.add_argument("--b", required=True, help="checkout of version B (the after)")
    parser.add_argument("--db", required=True, help="DATABASE_URL both read (not written)")
    parser.add_argument("--user", default="demo", help="log in as (- for a visitor)")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    repos = [os.path.abspath(repo) for repo in (args.a, args.b)]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        costs = [(path, [per_request(pool, repo, args, path) for repo in repos])
                 for path in args.paths]
        print(f"{'page':32s} {'A instr.':>12s} {'B instr.':>12s} {'B/A':>6s}")
        for path, (a, b) in costs:
            print(f"{path:32s} {a():12,.0f} {b():12,.0f} {b() / a():6.3f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == WORKER:
        worker(*sys.argv[2:7])
    else:
        main()
