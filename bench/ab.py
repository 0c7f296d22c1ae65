"""Compare two versions of tweepee page by page, in-process, on one database.

    .venv/bin/python -m bench.ab --a ../before --b . --db sqlite:///bench/data/x.db \\
        --user demo / /public/ /users/demo/

Each version (a checkout of the repository: `git worktree add ../before <commit>`) runs in
a long-lived process of its own that serves the pages through Flask's test client, logged
in as `--user` (the seed's demo password). The two take turns: a batch of requests for A,
then one for B (the order swapped every round), so that a machine whose speed drifts
slows both alike; the report is the median of the per-round ratios B/A and its spread.
Wall-clock figures of a noisy machine drift by a factor of two in an hour; ratios taken
seconds apart do not. It measures and prints; it asserts nothing.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

WORKER = "bench-ab-worker"


def logged_in_client(repo, database_url, user):
    """A test client of the tweepee checkout `repo` on `database_url`, logged in as `user`
    with the seed's demo password ("-": a visitor)."""
    sys.path.insert(0, repo)
    from adminapp import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32,
                      "RATELIMIT_ENABLED": False, "SUSPENSION_CHECK_SECONDS": 0})
    client = app.test_client()
    if user != "-":
        html = client.get("/login/").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        client.post("/login/", data={"username": user, "password": "tweepee-demo",
                                     "csrf_token": token})
    return client


def worker(repo, database_url, user):
    """Serve 'path n' lines from stdin: answer the mean milliseconds of n requests."""
    client = logged_in_client(repo, database_url, user)
    print("ready", flush=True)
    for line in sys.stdin:
        path, n = line.split()
        for _ in range(10):
            status = client.get(path).status_code
            if status != 200:
                print(f"error {status}", flush=True)
                break
        else:
            started = time.perf_counter()
            for _ in range(int(n)):
                client.get(path)
            print((time.perf_counter() - started) / int(n) * 1000, flush=True)


def start(repo, database_url, user):
    process = subprocess.Popen([sys.executable, "-m", "bench.ab", WORKER, repo, database_url,
                                user], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"{repo}: the app did not start")
    return process


def timed(process, path, batch):
    process.stdin.write(f"{path} {batch}\n")
    process.stdin.flush()
    answer = process.stdout.readline().strip()
    if answer.startswith("error"):
        raise SystemExit(f"{path}: {answer}")
    return float(answer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="checkout of version A (the before)")
    parser.add_argument("--b", required=True, help="checkout of version B (the after)")
    parser.add_argument("--db", required=True, help="DATABASE_URL both read (not written)")
    parser.add_argument("--user", default="demo", help="log in as (- for a visitor)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=60, help="requests per turn")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    a, b = (start(os.path.abspath(repo), args.db, args.user) for repo in (args.a, args.b))
    print(f"{'page':32s} {'A ms':>7s} {'B ms':>7s} {'B/A':>6s}  middle half of the ratios")
    for path in args.paths:
        ratios, times_a, times_b = [], [], []
        for n in range(args.rounds):
            first, second = (a, b) if n % 2 == 0 else (b, a)
            one, two = timed(first, path, args.batch), timed(second, path, args.batch)
            ta, tb = (one, two) if first is a else (two, one)
            times_a.append(ta), times_b.append(tb), ratios.append(tb / ta)
        ratios.sort()
        quarter = len(ratios) // 4
        print(f"{path:32s} {statistics.median(times_a):7.3f} {statistics.median(times_b):7.3f} "
              f"{statistics.median(ratios):6.3f}  {ratios[quarter]:.2f}-{ratios[-1 - quarter]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == WORKER:
        worker(*sys.argv[2:5])
    else:
        main()
