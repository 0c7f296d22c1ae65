"""Several workers and several servers, through real HTTP (issue 4, "PostgreSQL
and many app servers").

gunicorn runs in subprocesses on 127.0.0.1, started and always stopped by the
fixtures below; the tests talk to it with a small stdlib client
(tests/server_support.py) and read what was stored straight from the database.

- SQLite: one server with 4 sync workers on a temporary file;
- PostgreSQL (TEST_DATABASE_URL): two servers with 2 sync workers each, one
  fresh schema migrated once, the same SECRET_KEY; skipped with a reason when
  the URL is unset or unreachable, a failure under REQUIRE_POSTGRES=1;
- Redis (127.0.0.1:6379): two servers sharing login limits; skipped when no
  Redis answers.

The tests: 1. sessions and posts across two servers; 2. 8 clients posting 100
messages each (no loss, no 5xx), 8 sessions following/unfollowing one pair;
3. a login valid on every worker; 4. login limits shared through Redis; and
probes of the unique rules (join, report) and of the moderation verbs under
concurrent requests.

Figures (statuses, latencies) are printed: run with `-s` to see them.

    python -m pytest -q -s tests/test_servers.py
"""
import random
import threading
import time

import pytest

from tests import server_support as ss
from tests.conftest import postgres_schema

CLIENTS = 8
POSTS_PER_CLIENT = 100
FOLLOW_ITERATIONS = 25
PRIVATE_GETS = 20
LOAD_DEADLINE_S = 90  # every load phase is bounded in time as well as in count


class Site:
    """A group of servers on one database."""

    def __init__(self, backend, database_url, servers, env):
        self.backend = backend
        self.database_url = database_url
        self.servers = servers
        self.env = env  # the environment of the servers (for the flask CLI)

    def client(self, name="client"):
        """A new browser that spreads its requests over every server of the site (round robin)."""
        return ss.Client(self.servers, name=name)

    def log_marks(self):
        return [server.mark() for server in self.servers]

    def errors_since(self, marks):
        """Error lines (tracebacks, "database is locked"...) logged by the servers since `marks`."""
        return [f"{server.name}: {line}" for server, mark in zip(self.servers, marks)
                for line in server.errors(since=mark)]

    def access_since(self, marks):
        """[(server name, pid, method, path, status)] served since `marks`."""
        return [(server.name, *row) for server, mark in zip(self.servers, marks)
                for row in server.access(since=mark)]

    def query(self, sql, params=()):
        return ss.query(self.database_url, sql, params)

    def describe(self):
        return (f"{self.backend}: {len(self.servers)} server(s) x "
                f"{self.servers[0].workers} sync workers")


def in_time(client, count, what, deadline, step):
    """A thread body for ss.run_threads(): step(n) for n in range(count), failing as soon
    as the `deadline` (time.monotonic()) has passed."""
    def run():
        for n in range(count):
            if time.monotonic() > deadline:
                raise AssertionError(f"{client.name}: out of time after {n} {what}")
            step(n)
    return run


def report(label, **figures):
    print(f"\n[servers] {label}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def server_error_details(site, responses, marks):
    """A failure message: the 5xx responses (start of their pages) and the servers' error lines."""
    fives = [r for r in responses if r.status >= 500]
    lines = [f"{len(fives)} responses with a 5xx status on {site.describe()}"]
    for r in fives[:5]:
        lines.append(f"  {r!r}: {r.text[:300]!r}")
    lines += ["server log errors:"] + [f"  {line}" for line in site.errors_since(marks)[:40]]
    return "\n".join(lines)


# --- sites ---------------------------------------------------------------------------------
def _postgres_schema_ready():
    """tests/conftest.py's postgres_schema() closes adminapp.db.database when it ends;
    that proxy is still unbound when no in-process app was made before (this module
    alone), and closing it would then raise before the schema is dropped. Bind it to a
    throwaway in-memory SQLite (the next `app` fixture re-binds it anyway)."""
    from peewee import SqliteDatabase

    from adminapp import db
    if db.database.obj is None:
        db.database.initialize(SqliteDatabase(":memory:"))


# These sites serve many clients from one address, each joining and posting far more
# than a person would: generous limits, set through the same settings as production.
MANY_USERS = {"JOIN_LIMIT_PER_IP": "100000 per hour", "POST_LIMIT_PER_USER": "100000 per minute",
              "FOLLOW_LIMIT_PER_USER": "100000 per minute",
              "REPORT_LIMIT_PER_USER": "100000 per minute"}


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    """One gunicorn, 4 sync workers, on a temporary SQLite file."""
    workdir = tmp_path_factory.mktemp("sqlite-site")
    url = f"sqlite:///{workdir / 'site.db'}"
    env = ss.server_env(url, **MANY_USERS)
    ss.migrate(env)
    servers = [ss.AppServer(workdir, env, workers=4, name="sqlite")]
    with ss.running(servers):
        yield Site("sqlite", url, servers, env)


@pytest.fixture(scope="module")
def postgres_site(tmp_path_factory):
    """Two gunicorn servers, 2 sync workers each, on one fresh PostgreSQL schema migrated
    once, with the same SECRET_KEY; A connects with postgresql://, B with the pooled
    postgres+pool://. Skips (or fails under REQUIRE_POSTGRES=1) without PostgreSQL."""
    _postgres_schema_ready()
    with postgres_schema() as url:
        workdir = tmp_path_factory.mktemp("postgres-site")
        env = ss.server_env(url, **MANY_USERS)  # one env: the same SECRET_KEY on both servers
        ss.migrate(env)
        # B uses playhouse.db_url's pooled form of the same database.
        pooled = dict(env, DATABASE_URL=url.replace("postgresql://", "postgres+pool://", 1))
        servers = [ss.AppServer(workdir, env, workers=2, name="pg-A"),
                   ss.AppServer(workdir, pooled, workers=2, name="pg-B")]
        with ss.running(servers):
            yield Site("postgres", url, servers, env)


@pytest.fixture(params=["sqlite", "postgres"])
def site(request):
    return request.getfixturevalue(f"{request.param}_site")


# --- 1. two servers, one PostgreSQL ------------------------------------------------------------
def test_two_servers_share_sessions_and_timeline(postgres_site):
    """A session made on server A is valid on server B, and a post made through A is on
    B's timelines (public, the poster's profile, a follower's private timeline)."""
    site = postgres_site
    a, b = 0, 1
    tag = ss.unique_tag()
    name, follower = f"pair_{tag}", f"fan_{tag}"

    # Join on A: the session cookie it sets is accepted by B.
    alice = site.client("alice")
    alice.join(name, server=a)
    page = alice.get("/private/", server=b)
    assert page.status == 200, page
    assert ss.nav_user(page.text) == name

    # A plain login on A (a second browser) is valid on B too.
    again = site.client("alice-again")
    again.login(name, server=a)
    page = again.get("/private/", server=b)
    assert page.status == 200, page
    assert ss.nav_user(page.text) == name

    # Someone on B follows alice (the form posted to B with the token B's page gave).
    fan = site.client("fan")
    fan.join(follower, server=b)
    r = fan.post(f"/users/{name}/follow/", server=b)
    assert r.status == 302, r

    # Alice posts through A (the CSRF token from A's page).
    text = f"posted through server A {tag}"
    r = alice.post("/create/", {"content": text}, server=a)
    assert r.status == 302, (r, r.text[:500])
    assert site.query('SELECT COUNT(*) FROM message WHERE content = %s', (text,)) == [(1,)]

    # B shows it: to an anonymous reader, on alice's profile, on the follower's timeline.
    reader = site.client("reader")
    for path in ("/public/", f"/users/{name}/"):
        page = reader.get(path, server=b)
        assert page.status == 200, page
        assert text in page.text, f"{path} on B does not show the post made through A"
    page = fan.get("/private/", server=b)
    assert page.status == 200 and ss.nav_user(page.text) == follower, page
    assert text in page.text, "the follower's timeline on B misses the post made through A"
    page = alice.get("/private/", server=b)
    assert text in page.text

    # And the follow made on B shows on A.
    page = reader.get(f"/users/{name}/followers/", server=a)
    assert page.status == 200 and follower in page.text


# --- 2. concurrency without loss ------------------------------------------------------------
def test_concurrent_posts_lose_nothing(site):
    """8 clients, each logged in as its own user, post 100 messages each at once:
    exactly 800 rows, each message once, no 5xx (no "database is locked" on SQLite)."""
    tag = ss.unique_tag()
    names = [f"poster{i}_{tag}" for i in range(CLIENTS)]
    clients = []
    for i, name in enumerate(names):
        client = site.client(name)
        client.join(name)  # round robin: the joins themselves are spread over the servers
        clients.append(client)
    for client in clients:
        client.responses.clear()  # count only the posts below
    marks = site.log_marks()
    deadline = time.monotonic() + LOAD_DEADLINE_S

    def poster(i, client):
        return in_time(client, POSTS_PER_CLIENT, "posts", deadline, lambda n: client.post(
            "/create/", {"content": f"load {tag} client {i} message {n}"}))

    started = time.monotonic()
    errors = ss.run_threads([poster(i, c) for i, c in enumerate(clients)], LOAD_DEADLINE_S + 15)
    wall = time.monotonic() - started
    responses = [r for c in clients for r in c.responses]
    latency = ss.latency_summary(responses)
    statuses = ss.status_counts(responses)
    rows = site.query('SELECT u.username, COUNT(m.id), COUNT(DISTINCT m.content) FROM message m '
                      'JOIN "user" u ON u.id = m.user_id WHERE u.username LIKE %s '
                      'GROUP BY u.username', (f"poster%_{tag}",))
    per_user = {username: (total, distinct) for username, total, distinct in rows}
    total = sum(t for t, _ in per_user.values())
    report(f"posts ({site.describe()})", requests=len(responses), statuses=statuses,
           rows=total, wall_s=round(wall, 2), req_per_s=round(len(responses) / wall, 1),
           session_cookie_bytes=max(len(c.cookies.get("session", "")) for c in clients),
           **latency)

    assert not errors, f"client errors: {errors[:3]}"
    assert not [r for r in responses if r.status >= 500], server_error_details(site, responses, marks)
    assert statuses == {302: CLIENTS * POSTS_PER_CLIENT}, statuses
    assert total == CLIENTS * POSTS_PER_CLIENT, per_user
    assert per_user == {name: (POSTS_PER_CLIENT, POSTS_PER_CLIENT) for name in names}
    assert not site.errors_since(marks), site.errors_since(marks)


def test_concurrent_follow_unfollow_same_pair(site):
    """8 clients logged in as the same user follow and unfollow the same target at once,
    25 times each in a random order: never a 5xx, and 0 or 1 relationship rows at the end."""
    tag = ss.unique_tag()
    actor, target = f"actor_{tag}", f"target_{tag}"
    site.client("target").join(target)
    site.client("actor").join(actor)
    clients = []
    for i in range(CLIENTS):
        client = site.client(f"actor-session-{i}")
        client.login(actor)  # 8 sessions of one user, logged in on different servers
        client.responses.clear()
        clients.append(client)
    marks = site.log_marks()
    deadline = time.monotonic() + LOAD_DEADLINE_S

    def hammer(i, client):
        rng = random.Random(f"{tag}-{i}")

        def both_verbs(n):
            verbs = ["follow", "unfollow"]
            rng.shuffle(verbs)
            for verb in verbs:
                client.post(f"/users/{target}/{verb}/")
        return in_time(client, FOLLOW_ITERATIONS, "iterations", deadline, both_verbs)

    started = time.monotonic()
    errors = ss.run_threads([hammer(i, c) for i, c in enumerate(clients)], LOAD_DEADLINE_S + 15)
    wall = time.monotonic() - started
    responses = [r for c in clients for r in c.responses]
    statuses = ss.status_counts(responses)

    pair_sql = ('SELECT COUNT(*) FROM relationship r JOIN "user" a ON a.id = r.from_user_id '
                'JOIN "user" t ON t.id = r.to_user_id WHERE a.username = %s AND t.username = %s')
    (end_rows,), = site.query(pair_sql, (actor, target))
    workers = {(srv, pid) for srv, pid, method, path, _ in site.access_since(marks)
               if method == "POST" and path.startswith(f"/users/{target}/")}
    report(f"follow/unfollow ({site.describe()})", requests=len(responses), statuses=statuses,
           end_rows=end_rows, workers=len(workers), wall_s=round(wall, 2),
           **ss.latency_summary(responses))

    assert not errors, f"client errors: {errors[:3]}"
    assert not [r for r in responses if r.status >= 500], server_error_details(site, responses, marks)
    assert statuses == {302: CLIENTS * FOLLOW_ITERATIONS * 2}, statuses
    assert end_rows in (0, 1)
    assert len(workers) >= 2, f"the follows were not served by several workers: {workers}"
    assert not site.errors_since(marks), site.errors_since(marks)

    # The pair still behaves: one follow gives one row, one unfollow none.
    one = clients[0]
    assert one.post(f"/users/{target}/follow/").status == 302
    assert site.query(pair_sql, (actor, target)) == [(1,)]
    assert one.post(f"/users/{target}/follow/").status == 302
    assert site.query(pair_sql, (actor, target)) == [(1,)]
    assert one.post(f"/users/{target}/unfollow/").status == 302
    assert site.query(pair_sql, (actor, target)) == [(0,)]


# --- 3. a login is valid on every worker ---------------------------------------------------------
def test_login_is_valid_on_every_worker(site):
    """Sessions live in the signed cookie, not in a worker's memory: after one login, 20
    sequential GET /private/ (spread over every worker) all answer 200 for that user."""
    tag = ss.unique_tag()
    name = f"worker_{tag}"
    site.client("joiner").join(name)
    client = site.client("reader")
    client.login(name)
    client.responses.clear()
    marks = site.log_marks()

    def workers_seen():
        time.sleep(0.2)  # let the access log lines of the last requests reach the files
        return [(srv, pid) for srv, pid, method, path, _ in site.access_since(marks)
                if method == "GET" and path == "/private/"]

    pages = [client.get("/private/") for _ in range(PRIVATE_GETS)]
    served = workers_seen()
    # Sequential requests may keep landing on the same idle worker: go on (bounded, 10
    # more at a time) until a second worker has answered, so the test proves its claim.
    while len(set(served)) < 2 and len(pages) < PRIVATE_GETS + 200:
        pages += [client.get("/private/") for _ in range(10)]
        served = workers_seen()
    report(f"sessions across workers ({site.describe()})", gets=len(pages),
           workers_seen=len(set(served)),
           per_worker={f"{srv}<{pid}>": served.count((srv, pid)) for srv, pid in sorted(set(served))})

    bad = [p for p in pages if p.status != 200 or ss.nav_user(p.text) != name]
    assert not bad, f"{len(bad)} of {len(pages)} GET /private/ were not {name}'s timeline: {bad[:5]}"
    assert len(set(served)) >= 2, f"only one worker answered {len(pages)} requests: {served[:5]}"


# --- 4. login limits shared through Redis --------------------------------------------------------
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="module")
def redis_site(tmp_path_factory):
    """Two servers (2 workers each) on one SQLite file whose login limits live in Redis,
    with RATELIMIT_KEY_PREFIX set; the keys of its usernames are deleted afterwards."""
    import redis
    try:
        server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
        server.ping()
    except redis.RedisError as e:
        pytest.skip(f"Redis test skipped: no Redis answers at {REDIS_URL} ({e})")
    site_tag = ss.unique_tag()  # in every username of the tests below: their keys are found by it
    prefix = f"tweepee-test-{site_tag}"
    workdir = tmp_path_factory.mktemp("redis-site")
    url = f"sqlite:///{workdir / 'site.db'}"
    # The per-IP limit (every client here is 127.0.0.1) is raised out of the way: only the
    # per-username limit, whose key holds this run's unique username, is under test.
    env = ss.server_env(url, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
                        LOGIN_LIMIT_PER_IP="1000 per minute")
    ss.migrate(env)
    servers = [ss.AppServer(workdir, env, workers=2, name="redis-A"),
               ss.AppServer(workdir, env, workers=2, name="redis-B")]
    try:
        with ss.running(servers):
            site = Site("sqlite+redis", url, servers, env)
            site.redis, site.prefix, site.tag = server, prefix, site_tag
            yield site
    finally:
        keys = server.keys(f"*{prefix}*") + server.keys(f"*{site_tag}*")
        if keys:
            server.delete(*keys)
        server.close()


def test_login_limit_is_shared_through_redis(redis_site):
    """5 failed logins for one username, spread over two servers (4 workers), use up the
    limit (5 per minute): the 6th attempt gets 429 on either server, even with the right
    password, while another username is not throttled."""
    site = redis_site
    name, other = f"limited_{site.tag}", f"free_{site.tag}"
    site.client("joiner").join(name, server=0)
    site.client("joiner2").join(other, server=1)

    attacker = site.client("attacker")
    codes = [attacker.post("/login/", {"username": name, "password": f"wrong-{n}-guess"},
                           server=n % 2).status for n in range(5)]
    assert codes == [401] * 5, codes
    sixth = attacker.post("/login/", {"username": name, "password": "wrong-6-guess"}, server=1)
    seventh = attacker.post("/login/", {"username": name.upper(), "password": ss.PASSWORD},
                            server=0)
    report("login limit through Redis", attempts=codes + [sixth.status, seventh.status])
    assert sixth.status == 429, sixth
    assert seventh.status == 429, "the limit is per username whatever its case, on both servers"
    assert "Too many failed attempts" in sixth.text

    keys = site.redis.keys(f"*login-user:{name.lower()}*")
    assert keys, "no per-username counter in Redis"

    # Another username from the same IP is not throttled.
    friend = site.client("friend")
    assert friend.post("/login/", {"username": other, "password": ss.PASSWORD},
                       server=1).status == 302


def test_ratelimit_key_prefix_comes_from_the_environment(redis_site):
    """RATELIMIT_KEY_PREFIX, like every setting (adminapp/config.py), comes from the
    environment: two sites sharing one Redis keep their counters apart by it."""
    site = redis_site
    name = f"prefixed_{site.tag}"
    r = site.client("prefix").post("/login/", {"username": name, "password": "wrong-guess-1"},
                                   server=0)
    assert r.status == 401, r
    keys = site.redis.keys(f"*login-user:{name}*")
    assert keys, "no per-username counter in Redis"
    assert all(site.prefix.encode() in key for key in keys), (
        f"RATELIMIT_KEY_PREFIX={site.prefix} is set in the servers' environment but the "
        f"limiter's keys ignore it: {keys}")


# --- extra probes: the unique rules and the moderation verbs under concurrency -------------
def run_rounds(clients, rounds, action, deadline_s=LOAD_DEADLINE_S):
    """Each client does action(client, round) once per round; all clients start each
    round together (a barrier), so the requests of a round really race."""
    barrier = threading.Barrier(len(clients))

    def worker(client):
        def run():
            for n in range(rounds):
                barrier.wait(timeout=30)
                action(client, n)
        return run
    return ss.run_threads([worker(c) for c in clients], deadline_s)


def test_concurrent_duplicates_are_refused_cleanly(site):
    """The unique rules hold under concurrency and a loser gets the form again, not a 500:
    8 browsers join the same name (in different cases) at once -> one account; 8 sessions
    of one user report the same message at once -> one report."""
    tag = ss.unique_tag()
    name = f"dup_{tag}"
    joiners = [site.client(f"joiner-{i}") for i in range(CLIENTS)]
    for client in joiners:
        client.refresh_csrf()
        client.responses.clear()
    marks = site.log_marks()
    spellings = [name, name.upper(), name.capitalize(), name.swapcase()]
    errors = run_rounds(joiners, 1, lambda c, n: c.request("POST", "/join/", form={
        "csrf_token": c.csrf, "username": spellings[joiners.index(c) % len(spellings)],
        "email": f"{tag}@example.org", "password": ss.PASSWORD}))
    joins = [r for c in joiners for r in c.responses]
    users = site.query('SELECT COUNT(*) FROM "user" WHERE LOWER(username) = %s', (name,))

    poster = site.client("poster")
    poster.join(f"author_{tag}")
    text = f"reported {tag}"
    assert poster.post("/create/", {"content": text}).status == 302
    (message_id,), = site.query("SELECT id FROM message WHERE content = %s", (text,))
    reporters = []
    for i in range(CLIENTS):
        client = site.client(f"reporter-{i}")
        client.login(name)
        client.responses.clear()
        reporters.append(client)
    errors += run_rounds(reporters, 1, lambda c, n: c.post(
        f"/messages/{message_id}/report/", {"category": "spam", "note": f"from {c.name}"}))
    reports = [r for c in reporters for r in c.responses]
    report_rows = site.query("SELECT COUNT(*) FROM report WHERE message_id = %s", (message_id,))
    report_figures = dict(joins=ss.status_counts(joins), users=users[0][0],
                          reports=ss.status_counts(reports), report_rows=report_rows[0][0])
    report(f"duplicates ({site.describe()})", **report_figures)

    assert not errors, errors[:3]
    everything = joins + reports
    assert not [r for r in everything if r.status >= 500], server_error_details(site, everything, marks)
    assert users == [(1,)]
    assert ss.status_counts(joins) == {302: 1, 422: CLIENTS - 1}
    assert report_rows == [(1,)]
    assert ss.status_counts(reports) == {302: 1, 422: CLIENTS - 1}


def test_concurrent_moderation_writes_one_audit_entry_per_change(site):
    """Two moderators' 8 open tabs hide the same message at once, then unhide it at once,
    5 times: the message changes 10 times, so the audit log gets exactly 10 entries
    ("each verb: one change + one AuditLog row"; a verb on a message already in that
    state is a no-op with no audit row) - and never a 500."""
    tag = ss.unique_tag()
    author = site.client("author")
    author.join(f"author_{tag}")
    text = f"to moderate {tag}"
    assert author.post("/create/", {"content": text}).status == 302
    (message_id,), = site.query("SELECT id FROM message WHERE content = %s", (text,))
    moderators = [f"mod{i}_{tag}" for i in range(2)]
    for mod in moderators:
        ss.flask_cli(site.env, "create-user", mod, "--email", f"{mod}@example.org",
                     "--role", "moderator", "--password", ss.PASSWORD)
    tabs = []
    for i in range(CLIENTS):
        client = site.client(f"tab-{i}")
        client.login(moderators[i % 2])
        client.responses.clear()
        tabs.append(client)
    marks = site.log_marks()
    rounds = 10  # hide, unhide, hide, unhide...
    errors = run_rounds(tabs, rounds, lambda c, n: c.post(
        f"/messages/{message_id}/{'hide' if n % 2 == 0 else 'unhide'}/", {"reason": "race"}))
    responses = [r for c in tabs for r in c.responses]
    entries = site.query("SELECT action, COUNT(*) FROM audit_log WHERE target_model = 'message' "
                         "AND target_id = %s GROUP BY action ORDER BY action", (str(message_id),))
    hidden = site.query("SELECT hidden_at IS NULL FROM message WHERE id = %s", (message_id,))
    report(f"concurrent moderation ({site.describe()})", requests=len(responses),
           statuses=ss.status_counts(responses), audit_entries=dict(entries),
           visible_at_end=bool(hidden[0][0]))

    assert not errors, errors[:3]
    assert not [r for r in responses if r.status >= 500], server_error_details(site, responses, marks)
    assert ss.status_counts(responses) == {302: CLIENTS * rounds}
    assert bool(hidden[0][0]), "the message ends visible (the last round unhides)"
    assert dict(entries) == {"hide": rounds // 2, "unhide": rounds // 2}, (
        f"{rounds} changes of one message wrote {sum(dict(entries).values())} audit entries: "
        f"{dict(entries)} (concurrent verbs each saw the old state and each recorded a change)")
