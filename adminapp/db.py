"""The database: one proxy the models bind to, initialised from DATABASE_URL.

SQLite gets WAL, foreign keys, a busy timeout and IMMEDIATE transactions, so
that several gunicorn workers writing at once wait for each other instead of
answering "database is locked" (docs/architecture.md, "Storage").
"""
import os
import time

from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -64000,
    "busy_timeout": 10000,
}


class PostgresPool(PooledPostgresqlDatabase):
    """playhouse's pool, without a round trip at every checkout while it is busy.

    peewee 4's pool sends `SELECT 1` each time it hands a connection out, to find one the
    server dropped: one round trip of a page's three on PostgreSQL. This pool sends it
    only for a connection that sat unused for PING_AFTER seconds (the server restarted,
    a firewall dropped it); one handed back a moment ago is checked locally (closed, or
    its transaction state unknown), as SQLAlchemy's and Django's pools do by default.
    """
    PING_AFTER = 10.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned = {}  # connection key -> when it was handed back (time.monotonic())

    def _is_closed(self, conn):
        returned = self._returned.pop(self.conn_key(conn), None)
        if returned is None or time.monotonic() - returned > self.PING_AFTER:
            return super()._is_closed(conn)
        return bool(conn.closed) or self._adapter.txn_status(conn) == self._adapter.txn_unknown

    def _close(self, conn, close_conn=False):
        super()._close(conn, close_conn)
        if not close_conn and not conn.closed:
            self._returned[self.conn_key(conn)] = time.monotonic()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def default_url(instance_path):
    """The SQLite URL used when DATABASE_URL is unset: instance/tweepee.db."""
    return "sqlite:///" + os.path.join(instance_path, "tweepee.db")


def connect(url):
    """Return a peewee Database for `url` (playhouse.db_url), and bind the models to it.

    A plain postgresql:// URL gets the pooled class too: opening a PostgreSQL
    connection per request costs more than the page, and the pool hands back a
    live connection (a broken one is dropped at checkout: PostgresPool).
    """
    parsed = db_url.parse(url)
    if url.startswith("sqlite"):
        if parsed["database"] != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed["database"])), exist_ok=True)
        db = db_url.connect(url, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    elif url.split("://", 1)[0] in ("postgres", "postgresql", "postgres+pool",
                                    "postgresql+pool"):
        options = {"max_connections": 8, "stale_timeout": 300, **parsed}
        db = PostgresPool(**options)
    else:
        db = db_url.connect(url)
    database.initialize(db)
    return db


def is_sqlite():
    """True when the models are bound to a SQLite database."""
    return isinstance(database.obj, SqliteDatabase)


def init_app(app):
    """Bind the models to the app's database; make sure each request has a connection.

    A SQLite connection stays open in its worker between requests: opening one
    costs the pragmas and a cold page cache, most of a page's time
    (docs/architecture.md, "Performance"). Other databases close it after each request, which
    hands it back to the pool with `postgres+pool://`.
    """
    url = app.config.get("DATABASE_URL") or default_url(app.instance_path)
    app.config["DATABASE_URL"] = url
    app.extensions["database"] = connect(url)
    keep_open = app.config.get("DATABASE_KEEP_OPEN")
    keep_open = is_sqlite() if keep_open is None else keep_open

    @app.before_request
    def _open_connection():
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close_connection(exc):
        if not keep_open and not database.is_closed():
            database.close()


MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "migrations")


def migrate():
    """Apply the pending migrations in migrations/ (then refresh the planner's view of the
    data when any ran); returns the names applied."""
    from playhouse.migrations import Runner

    with database.connection_context():
        applied = Runner(database.obj, directory=MIGRATIONS_DIR).up()
        if applied:
            refresh_statistics()
        return applied


def refresh_statistics():
    """Leave the database ready to plan well after bulk changes: ANALYZE on SQLite;
    VACUUM ANALYZE on PostgreSQL, whose index-only scans (every count on an index)
    need the visibility map that only VACUUM fills (a profile's counts read 18,000
    heap pages at 1,000,000 messages without it: 295 ms, against 9.8 ms after). On
    SQLite the full-text index is merged into one b-tree first (search.optimize)."""
    from . import search  # search imports this module

    if is_sqlite():
        search.optimize()
        database.execute_sql("ANALYZE")
    else:
        database.execute_sql("VACUUM ANALYZE")
