"""The two data sets: seeded with seed_data.py, cached as SQLite files under bench/data/.

A cached file is named by its size and seed, e.g.
`bench/data/tweepee-u10000-f50-m1000000-s1.db`, with a JSON file beside it that
records how it was made: the time anchor (`--now`), the seeding time and rate,
the seeding process's peak memory, and a digest of the seeding code (seed_data.py, adminapp/seed/ and adminapp/search.py).

The anchor is the current minute when seeding, so that "today" and "an hour
ago" on the pages and the dashboard have data. A cached file is reused while its
anchor is less than BENCH_DATA_MAX_AGE_HOURS old (24 by default; 0 reseeds every
time) and the seeding code is unchanged; otherwise it is seeded again. The same seed
and anchor give the same rows, so `seed_data.py --seed S --now ANCHOR` with the
recorded anchor rebuilds a file exactly (but for the moderation timestamps).
"""
import datetime
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(REPO, "bench", "data")
SEED_SCRIPT = os.path.join(REPO, "seed_data.py")
SEED_TIMEOUT = 1800  # seconds: generous for a million rows on PostgreSQL
DEMO_PASSWORD = "tweepee-demo"  # seed_data.py gives it to every seeded user
SUMMARY = re.compile(r"Seeded .*? in ([\d.]+) s \(([\d,]+) messages/s\)\.?")


@dataclass(frozen=True)
class DataSet:
    name: str
    users: int
    follows: int  # per user
    messages: int
    # whether the peewee example is benched on it too: at 10,000,000 messages its pages
    # take seconds to minutes each (and its own copy of the data set minutes to build)
    with_example: bool = True

    def key(self, seed):
        """The file stem of this set for `seed`: size and seed."""
        return f"tweepee-u{self.users}-f{self.follows}-m{self.messages}-s{seed}"

    def describe(self):
        return f"{self.users:,} users, {self.follows} follows each, {self.messages:,} messages"


SETS = {
    "small": DataSet("small", users=1_000, follows=20, messages=50_000),
    "large": DataSet("large", users=10_000, follows=50, messages=1_000_000),
    "huge": DataSet("huge", users=100_000, follows=50, messages=10_000_000, with_example=False),
}
POWER_USER, POWER_FOLLOWS = "power", 5_000


def sqlite_url(path):
    return "sqlite:///" + os.path.abspath(path)


def utc_minute():
    """The current UTC minute as an ISO string without zone: the seeding anchor."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    return now.replace(tzinfo=None).isoformat()


def age_hours(anchor):
    """How many hours ago the ISO `anchor` (naive UTC) was."""
    then = datetime.datetime.fromisoformat(anchor).replace(tzinfo=datetime.timezone.utc)
    return (datetime.datetime.now(datetime.timezone.utc) - then).total_seconds() / 3600


def seeding_digest():
    """SHA-256 over the seeding code: seed_data.py, adminapp/search.py and every module of
    adminapp/seed/."""
    digest = hashlib.sha256()
    # adminapp/search.py: how the full-text index is built after the load
    paths = [SEED_SCRIPT, os.path.join(REPO, "adminapp", "search.py")] + \
        sorted(glob.glob(os.path.join(REPO, "adminapp", "seed", "*.py")))
    for path in paths:
        with open(path, "rb") as f:
            digest.update(os.path.relpath(path, REPO).encode() + b"\0" + f.read())
    return digest.hexdigest()


def max_age_hours():
    """BENCH_DATA_MAX_AGE_HOURS (default 24): how old a cached anchor may be."""
    return float(os.environ.get("BENCH_DATA_MAX_AGE_HOURS", "24"))


def run_measured(command, timeout=SEED_TIMEOUT, env=None):
    """Run `command` from the repository root; returns (status, wall s, peak RSS MB, output).

    The peak resident memory comes from wait4(): the child's own, or that of a
    process it started and waited for, whichever was larger.
    """
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{command[1]} took more than {timeout} s")
                time.sleep(0.1)
        except BaseException:
            process.kill()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        output = out.read()
    return process.returncode, wall, usage.ru_maxrss / 1024, output


def seed(dataset, seed_number, anchor, database_url):
    """Seed `database_url` with `dataset` (--reset) and return the figures as a dict."""
    command = [sys.executable, SEED_SCRIPT, "--users", str(dataset.users),
               "--follows", str(dataset.follows), "--messages", str(dataset.messages),
               "--seed", str(seed_number), "--now", anchor, "--database", database_url,
               "--reset", "--quiet"]
    status, wall, peak_mb, output = run_measured(command)
    match = SUMMARY.search(output)
    if status != 0 or match is None:
        raise RuntimeError(f"seed_data.py failed (status {status}):\n{output[-3000:]}")
    return {
        "users": dataset.users, "follows": dataset.follows, "messages": dataset.messages,
        "seed": seed_number, "now": anchor, "database": redact(database_url),
        "seconds": float(match.group(1)),
        "messages_per_second": int(match.group(2).replace(",", "")),
        "wall_seconds": round(wall, 1), "peak_rss_mb": round(peak_mb),
        "summary": match.group(0),
        "seeded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seeding_sha256": seeding_digest(),
    }


def redact(url):
    """`url` without a password (user:secret@host -> user:***@host)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def cached_figures(dataset, seed_number, db_path, meta_path):
    """The recorded figures of a cached file that may be reused, else None (and why)."""
    if not (os.path.exists(db_path) and os.path.exists(meta_path)):
        return None, "no cached file"
    with open(meta_path) as f:
        meta = json.load(f)
    wanted = {"users": dataset.users, "follows": dataset.follows,
              "messages": dataset.messages, "seed": seed_number}
    if any(meta.get(name) != value for name, value in wanted.items()):
        return None, "the cached file is of another size"
    if meta.get("seeding_sha256") != seeding_digest():
        return None, "the seeding code changed since"
    age = age_hours(meta["now"])
    if age >= max_age_hours():
        return None, f"its anchor is {age:.0f} h old (BENCH_DATA_MAX_AGE_HOURS={max_age_hours():g})"
    return meta, None


def ensure_sqlite(dataset, seed_number, log=print):
    """Return (path, figures) of the cached SQLite file of `dataset`, seeding it if needed.

    figures["fresh"] says whether it was seeded by this run or reused from the cache.
    """
    os.makedirs(DATA_DIR, exist_ok=True)
    stem = os.path.join(DATA_DIR, dataset.key(seed_number))
    db_path, meta_path = stem + ".db", stem + ".json"
    meta, why = cached_figures(dataset, seed_number, db_path, meta_path)
    if meta is not None:
        log(f"{dataset.name}: reusing {os.path.relpath(db_path, REPO)} "
            f"(seeded {meta['seeded_at']}, anchor {meta['now']})")
        return db_path, dict(meta, fresh=False)
    log(f"{dataset.name}: seeding {dataset.describe()} into SQLite ({why})...")
    tmp_path = stem + ".tmp.db"
    remove_sqlite(tmp_path)
    figures = seed(dataset, seed_number, utc_minute(), sqlite_url(tmp_path))
    remove_sqlite(db_path)
    os.replace(tmp_path, db_path)  # only a complete seed gets the cached name
    with open(meta_path, "w") as f:
        json.dump(figures, f, indent=2)
    log(f"{dataset.name}: {figures['summary']}")
    return db_path, dict(figures, fresh=True)


def seed_postgres(dataset, seed_number, anchor, url, log=print):
    """Seed the PostgreSQL database `url` with `dataset` (--reset, so always fresh);
    returns the figures."""
    create_postgres_database(url, log)
    log(f"{dataset.name}: seeding {dataset.describe()} into {redact(url)}...")
    figures = seed(dataset, seed_number, anchor, url)
    log(f"{dataset.name}: {figures['summary']}")
    return dict(figures, fresh=True)


def create_postgres_database(url, log=print):
    """Create the database of `url` on its server when it is not there yet (connecting to
    the server's `postgres` database to do it), so that a newcomer only names one."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    server.autocommit = True  # CREATE DATABASE runs outside a transaction
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                log(f"creating the PostgreSQL database {name!r}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        server.close()


def remove_sqlite(path):
    """Remove a SQLite file and its -wal/-shm companions, if present."""
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name):
            os.remove(name)


def migrate(database_url, secret_key):
    """Apply tweepee's pending migrations to `database_url` (`flask --app adminapp migrate`)."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret_key)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "adminapp", "migrate"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=SEED_TIMEOUT)
    if result.returncode != 0:
        raise RuntimeError(f"flask migrate failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def query_one(database_url, sql, params=()):
    """The first row of `sql` on the database at `database_url`."""
    from playhouse import db_url

    database = db_url.connect(database_url)
    try:
        return database.execute_sql(sql, params).fetchone()
    finally:
        database.close()


def busiest_user(database_url):
    """The active user with the most visible messages: the profile page to load (from the
    counters the database keeps: no pass over the messages)."""
    row = query_one(database_url,
                    'SELECT u.username FROM "user" AS u JOIN user_stats AS s ON s.user_id = u.id '
                    "WHERE u.suspended_at IS NULL ORDER BY s.posts - s.hidden DESC, u.id LIMIT 1")
    if row is None:
        raise RuntimeError("the data set has no users")
    return row[0]


def newest_message(database_url):
    """The id of the newest visible message of an active user: the message page to load."""
    row = query_one(database_url,
                    'SELECT m.id FROM message AS m JOIN "user" AS u ON u.id = m.user_id '
                    "WHERE m.hidden_at IS NULL AND u.suspended_at IS NULL "
                    "ORDER BY m.pub_date DESC, m.id DESC LIMIT 1")
    if row is None:
        raise RuntimeError("the data set has no messages")
    return row[0]


def busiest_thread(database_url):
    """The id of the visible message of an active user with the most visible replies (its
    thread page: a full page of replies), or None on a set without replies."""
    row = query_one(database_url,
                    "SELECT s.message_id FROM message_stats AS s "
                    "JOIN message AS m ON m.id = s.message_id "
                    'JOIN "user" AS u ON u.id = m.user_id '
                    "WHERE m.hidden_at IS NULL AND u.suspended_at IS NULL "
                    "ORDER BY s.replies DESC, s.message_id DESC LIMIT 1")
    return row[0] if row else None


def search_words(database_url):
    """(common, rare): the word of letters in the most messages, and one in 1 to 10 of
    them (the search pages to load), from the full-text index's vocabulary (FTS5's
    fts5vocab on SQLite, ts_stat on PostgreSQL)."""
    from playhouse import db_url

    database = db_url.connect(database_url)
    try:
        if database_url.startswith("sqlite"):
            database.execute_sql("CREATE VIRTUAL TABLE temp.words USING "
                                 "fts5vocab(main, message_fts, row)")
            source = "SELECT term, doc FROM temp.words"
        else:
            source = ("SELECT word AS term, ndoc AS doc "
                      "FROM ts_stat('SELECT search_vector FROM message')")
        rows = database.execute_sql(f"SELECT term, doc FROM ({source}) AS v "
                                    "WHERE length(term) >= 4 ORDER BY doc DESC, term").fetchall()
    finally:
        database.close()
    letters = [(term, doc) for term, doc in rows if term.isalpha()]
    if not letters:
        raise RuntimeError("the data set has no words")
    rare = next((term for term, doc in letters if doc <= 10), letters[-1][0])
    return letters[0][0], rare


def top_tag(database_url):
    """The hashtag on the most messages (its tag page to load), or None without tags."""
    row = query_one(database_url, "SELECT tag FROM message_tag GROUP BY tag "
                                  "ORDER BY count(*) DESC, tag LIMIT 1")
    return row[0] if row else None


def add_power_user(database_url, follows=POWER_FOLLOWS):
    """Add the account `power` (demo's password), following the `follows` longest-standing
    accounts: the home timeline of someone who follows thousands. Returns how many it
    follows. The same rows every time for a data set."""
    from playhouse import db_url

    database = db_url.connect(database_url)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    try:
        with database.atomic():
            demo = database.execute_sql(
                'SELECT password, email FROM "user" WHERE username = %s' % database.param,
                ("demo",)).fetchone()
            database.execute_sql(
                'INSERT INTO "user" (username, email, password, join_date, role, bio) '
                f"VALUES ({', '.join([database.param] * 6)})",
                (POWER_USER, "power@example.com", demo[0], now, "user", ""))
            (power,) = database.execute_sql(
                f'SELECT id FROM "user" WHERE username = {database.param}', (POWER_USER,)).fetchone()
            database.execute_sql(
                "INSERT INTO relationship (from_user_id, to_user_id, created) "
                f'SELECT {database.param}, id, {database.param} FROM "user" '
                f"WHERE id <> {database.param} ORDER BY id LIMIT {int(follows)}",
                (power, now, power))
            (count,) = database.execute_sql(
                f"SELECT COUNT(*) FROM relationship WHERE from_user_id = {database.param}",
                (power,)).fetchone()
        return count
    finally:
        database.close()