"""Migrations: a fresh database, and a database made by the peewee twitter example."""
import datetime
import hashlib
import pathlib
import sqlite3

import pytest

from adminapp import create_app, db
from adminapp.config import TestConfig
from adminapp.models import Message, Relationship, User
from tests.conftest import Client, config_dict

# The three tables exactly as the peewee twitter example creates them.
PEEWEE_EXAMPLE_SCHEMA = """
CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(255) NOT NULL,
  "password" VARCHAR(255) NOT NULL, "email" VARCHAR(255) NOT NULL, "join_date" DATETIME NOT NULL);
CREATE UNIQUE INDEX "user_username" ON "user" ("username");
CREATE TABLE "message" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL,
  "content" TEXT NOT NULL, "pub_date" DATETIME NOT NULL,
  FOREIGN KEY ("user_id") REFERENCES "user" ("id"));
CREATE INDEX "message_user_id" ON "message" ("user_id");
CREATE TABLE "relationship" ("id" INTEGER NOT NULL PRIMARY KEY, "from_user_id" INTEGER NOT NULL,
  "to_user_id" INTEGER NOT NULL, FOREIGN KEY ("from_user_id") REFERENCES "user" ("id"),
  FOREIGN KEY ("to_user_id") REFERENCES "user" ("id"));
CREATE INDEX "relationship_from_user_id" ON "relationship" ("from_user_id");
CREATE INDEX "relationship_to_user_id" ON "relationship" ("to_user_id");
CREATE UNIQUE INDEX "relationship_from_user_id_to_user_id" ON "relationship" ("from_user_id", "to_user_id");
"""


ALL_MIGRATIONS = sorted(p.stem for p in pathlib.Path(db.MIGRATIONS_DIR).glob("[0-9]*.py"))


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture
def example_db(tmp_path):
    """A SQLite file as the peewee twitter example leaves it, with two users and their data."""
    path = tmp_path / "tweepee.db"
    con = sqlite3.connect(path)
    con.executescript(PEEWEE_EXAMPLE_SCHEMA)
    joined = datetime.datetime(2020, 5, 1, 12, 0)
    con.executemany('INSERT INTO "user" VALUES (?, ?, ?, ?, ?)', [
        (1, "huey", md5("meow-meow"), "huey@example.com", joined),
        (2, "mickey", md5("woof-woof"), "mickey@example.com", joined)])
    con.executemany("INSERT INTO message VALUES (?, ?, ?, ?)", [
        (1, 1, "first post from huey", joined + datetime.timedelta(hours=1)),
        (2, 2, "mickey says hi", joined + datetime.timedelta(hours=2))])
    con.execute("INSERT INTO relationship VALUES (1, 1, 2)")
    con.commit()
    con.close()
    return path


def make_app(path):
    app = create_app({**config_dict(TestConfig), "DATABASE_URL": f"sqlite:///{path}"})
    app.test_client_class = Client
    return app


def test_fresh_database_gets_every_table_and_index(tmp_path):
    make_app(tmp_path / "fresh.db")
    assert db.migrate() == ALL_MIGRATIONS
    assert db.migrate() == []
    database = db.database.obj
    assert set(database.get_tables()) >= {"user", "relationship", "message", "report", "audit_log"}
    indexes = {i.name for t in ("user", "message", "relationship") for i in database.get_indexes(t)}
    assert {"user_username_lower", "message_user_id_pub_date_id", "message_pub_date_id",
            "relationship_to_user_id", "relationship_from_user_id_to_user_id"} <= indexes


def test_peewee_example_database_is_upgraded_in_place(example_db):
    app = make_app(example_db)
    assert db.migrate() == ALL_MIGRATIONS
    huey = User.get(User.username == "huey")
    assert (huey.role, huey.suspended_at, huey.bio) == ("user", None, "")
    assert Message.select().count() == 2 and Relationship.select().count() == 1
    assert Message.get_by_id(1).hidden_at is None
    columns = {c.name for c in db.database.obj.get_columns("message")}
    assert {"hidden_at", "hidden_by_id", "hidden_reason"} <= columns
    # the data is served as before: huey follows mickey
    client = app.test_client()
    assert client.post("/login/", data={"username": "huey", "password": "meow-meow"}).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "first post from huey" in html and "mickey says hi" in html
    assert User.get_by_id(1).password_hash.startswith("scrypt:")  # md5 upgraded at that login
    # and works as tweepee: new accounts, case-insensitive names
    assert client.post("/logout/").status_code == 302
    assert client.post("/join/", data={"username": "HUEY", "email": "h@example.com",
                                       "password": "password123"}).status_code == 422


def test_upgrade_then_flask_migrate_is_a_no_op(example_db):
    app = make_app(example_db)
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert f"Applied: {', '.join(ALL_MIGRATIONS)}" in result.output
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert "up to date" in result.output


def test_public_pages_exclude_suspended_authors_through_the_partial_index(app):
    from adminapp import feeds
    database = db.database.obj
    assert "user_suspended_at" in {i.name for i in database.get_indexes("user")}
    if db.is_sqlite():  # the plan that made /public/ cost 3.9 ms at 10,000 users is gone
        sql = feeds.PUBLIC.first_page_sql(20)
        plan = " | ".join(r[3] for r in database.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                               (0,) * sql.count("?")))
        assert "user_suspended_at" in plan and "BLOOM" not in plan, plan


def test_profile_counts_read_one_counters_row_not_the_messages(app, make_user):
    from adminapp.models import User
    user = make_user("prolific")
    if db.is_sqlite():  # counting a user's messages read every one of them
        sql, params = User.with_stats().where(User.id == user.id).sql()
        plan = " | ".join(r[3] for r in db.database.obj.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        # user by id, its counters row by id, the viewer's follow by the unique index
        assert plan.count("USING INTEGER PRIMARY KEY") == 2, plan
        assert "SCAN" not in plan and "message" not in plan, plan


def test_the_reports_queue_is_read_in_its_index_order(app):
    """The queue's sort (open first, oldest first, then id) is one index's order: its page
    reads 20 reports from it instead of sorting them all (19 ms at 1,000 on PostgreSQL)."""
    database = db.database.obj
    with app.app_context():
        queue = {i.name: i.columns for i in database.get_indexes("report")}
        assert "report_resolved_at_created" not in queue
        assert queue["report_queue"] == ["resolved_at", "created", "id"]
        if db.is_sqlite():
            sql = ('SELECT id FROM report ORDER BY resolved_at NULLS FIRST, created, id '
                   'LIMIT 20')
            plan = " | ".join(r[3] for r in database.execute_sql("EXPLAIN QUERY PLAN " + sql))
            assert "report_queue" in plan and "TEMP B-TREE" not in plan, plan
