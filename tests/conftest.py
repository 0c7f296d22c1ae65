"""Fixtures: an app on a fresh SQLite file per test, a client that sends CSRF
tokens like a browser, a login helper, small factories, the staff and the
audit log, and a query counter."""
import collections
import contextlib
import logging
import os
import uuid
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from adminapp import create_app, db
from adminapp.config import TestConfig
from adminapp.models import AuditLog, Message, Relationship, User, utcnow
from bench.client import csrf_token
from tests import browser_support as bs


def config_dict(cls):
    return {key: getattr(cls, key) for key in dir(cls) if key.isupper()}


class Client(FlaskClient):
    """A test client that fills in `csrf_token` on every POST, as the site's forms do.

    Pass `csrf=False` to post without one (to test the refusal).
    """

    def csrf_token(self):
        return csrf_token(self.get("/public/").get_data(as_text=True))

    def post(self, *args, csrf=True, **kwargs):
        if csrf:
            data = dict(kwargs.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def unavailable(reason):
    """Skip a PostgreSQL test with `reason`, or fail when CI requires PostgreSQL."""
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL tests cannot run: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason} (set TEST_DATABASE_URL to run them)")


@contextlib.contextmanager
def postgres_schema():
    """A fresh PostgreSQL schema for one test: yields a DATABASE_URL whose search_path is it."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        unavailable("TEST_DATABASE_URL is not set")
    import psycopg2
    try:
        admin = psycopg2.connect(base, connect_timeout=3)
    except psycopg2.Error as e:
        unavailable(f"{base} is unreachable ({str(e).strip()})")
    admin.autocommit = True
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin.cursor().execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        if db.database.obj is not None:
            db.database.close()
        admin.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """Each test runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def app(database_url):
    app = create_app({**config_dict(TestConfig), "DATABASE_URL": database_url})
    app.test_client_class = Client
    # Requests must not share an outer app context (Flask-Login caches the user in g),
    # so the context is pushed only where it is needed.
    with app.app_context():
        db.migrate()
    yield app
    db.database.close()


@pytest.fixture
def make_app(tmp_path):
    """Factory: make_app(SETTING=value, ...) -> a migrated app on a SQLite file of its own,
    for a test about a setting (the `app` fixture's settings are the test defaults)."""
    def make(**settings):
        make.n += 1
        app = create_app({**config_dict(TestConfig),
                          "DATABASE_URL": f"sqlite:///{tmp_path}/app{make.n}.db", **settings})
        app.test_client_class = Client
        with app.app_context():
            db.migrate()
        return app
    make.n = 0
    yield make
    db.database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Factory: make_user("alice", role="moderator", suspended=True) -> User."""
    def make(username=None, role="user", password="password123", email=None, suspended=False):
        make.n += 1
        username = username or f"user{make.n}"
        with app.app_context():  # the test config's cheap hash settings
            user = User.create_account(username, email or f"{username}@example.com", password,
                                       role=role)
        if suspended:
            user.suspended_at = utcnow()
            user.save()
        return user
    make.n = 0
    return make


@pytest.fixture
def make_message(app):
    """Factory: make_message(user, "text", pub_date=...) -> Message (bypasses the form)."""
    def make(user, content="hello", pub_date=None, hidden=False):
        return Message.create(user=user, content=content, pub_date=pub_date or utcnow(),
                              hidden_at=utcnow() if hidden else None)
    return make


Staff = collections.namedtuple("Staff", "admin moderator")


@pytest.fixture
def staff(make_user):
    """The back office's people: root (admin) and mod (moderator), made in that order."""
    return Staff(admin=make_user("root", role="admin"),
                 moderator=make_user("mod", role="moderator"))


@pytest.fixture
def audit_rows(app):
    """Function: audit_rows() -> every audit entry, oldest first; audit_rows("hide") -> the
    entries of that action only."""
    def rows(action=None):
        query = AuditLog.select().order_by(AuditLog.id)
        if action is not None:
            query = query.where(AuditLog.action == action)
        return list(query)
    return rows


@pytest.fixture
def follows(make_user):
    """alice follows bob and carol; bob follows carol. Returns {(from, to): id}."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    alice.follow(bob)
    alice.follow(carol)
    bob.follow(carol)
    names = {u.id: u.username for u in (alice, bob, carol)}
    return {(names[r.from_user_id], names[r.to_user_id]): r.id for r in Relationship.select()}


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password="password123", follow_redirects=False):
        return self.client.post("/login/", data={"username": username, "password": password},
                                follow_redirects=follow_redirects)

    def logout(self):
        return self.client.post("/logout/")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def as_mod(auth, staff):
    """The client logged in as the staff's moderator (returned)."""
    auth.login("mod")
    return staff.moderator


@pytest.fixture
def as_admin(auth, staff):
    """The client logged in as the staff's admin (returned)."""
    auth.login("root")
    return staff.admin


@pytest.fixture
def count_queries():
    """Context manager counting the SQL statements peewee runs inside it: `with count_queries() as q: ...; q.n`."""
    class Counter(logging.Handler):
        n = 0
        statements = []

        def emit(self, record):
            if record.name != "peewee":  # e.g. peewee.pool's "Returning ... to pool."
                return
            self.n += 1
            self.statements.append(record.getMessage())

    @contextlib.contextmanager
    def counting():
        logger = logging.getLogger("peewee")
        handler, level = Counter(), logger.level
        handler.statements = []
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            yield handler
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
    return counting


# --- headless Chromium, for the browser tests ------------------------------------------
@pytest.fixture(scope="module")
def chromium_path():
    """Path of the Chromium binary; skip (or fail under REQUIRE_BROWSER=1) without one."""
    path, reason = bs.find_browser()
    if path is None:
        if bs.browser_required():
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser test cannot run: {reason}")
        pytest.skip(f"browser test skipped: {reason} (set REQUIRE_BROWSER=1 to make this fail)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    """A headless Chromium driven by Playwright's sync API, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=bs.CHROMIUM_ARGS,
                                    headless=True)
        try:
            yield browser
        finally:
            browser.close()
