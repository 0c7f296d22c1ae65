"""The PostgreSQL pool (db.PostgresPool): a connection handed back a moment ago is handed
out again without a round trip; one that sat idle is checked with one, and a dropped one
is replaced. Skips (or fails under REQUIRE_POSTGRES=1) without PostgreSQL."""
import os

import pytest

from adminapp import db
from tests.conftest import unavailable


@pytest.fixture
def pool(monkeypatch):
    """A PostgresPool on TEST_DATABASE_URL whose pings (SELECT 1 at checkout) are counted
    in pool.pings."""
    url = os.environ.get("TEST_DATABASE_URL") or unavailable("TEST_DATABASE_URL is not set")
    from playhouse.db_url import parse
    pool = db.PostgresPool(**{"max_connections": 2, **parse(url)})
    pool.pings = 0
    adapter_check = pool._adapter.is_connection_closed

    def counted(conn):
        pool.pings += 1
        return adapter_check(conn)
    monkeypatch.setattr(pool._adapter, "is_connection_closed", counted)
    yield pool
    pool.close_all()


def backend_pid(pool):
    return pool.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_a_busy_connection_is_reused_without_a_round_trip(pool):
    pool.connect()
    first = backend_pid(pool)
    pool.close()
    for _ in range(3):
        pool.connect()
        assert backend_pid(pool) == first
        pool.close()
    assert pool.pings == 0


def test_an_idle_connection_is_pinged_and_a_dropped_one_replaced(pool):
    import psycopg2

    pool.connect()
    dropped = backend_pid(pool)
    pool.close()
    other = psycopg2.connect(os.environ["TEST_DATABASE_URL"])
    other.autocommit = True
    other.cursor().execute("SELECT pg_terminate_backend(%s)", (dropped,))
    other.close()
    pool._returned = {key: when - pool.PING_AFTER - 1 for key, when in pool._returned.items()}
    pool.connect()
    assert pool.pings == 1
    assert backend_pid(pool) != dropped   # a new connection, and it works
    pool.close()


def test_both_postgresql_url_forms_get_the_pool():
    bound = db.database.obj
    try:
        for scheme in ("postgresql", "postgres+pool"):
            assert isinstance(db.connect(f"{scheme}://nobody@127.0.0.1:1/none"), db.PostgresPool)
    finally:
        db.database.initialize(bound)
