"""Counters the database keeps: each user's followers, following, messages and hidden
messages (table user_stats), maintained by triggers on user, message and relationship.

Triggers rather than code in the write paths, so that every writer counts: the
site, the back office, the seed, a test factory, a hand-run statement. A bulk load
drops them, loads, and recounts (`suspended()`); migrations/0006_user_stats.py
created them (its own frozen copy of this SQL).
"""
import contextlib

from peewee import SqliteDatabase

from .db import database

SQLITE_TRIGGERS = [
    """CREATE TRIGGER user_stats_user_ai AFTER INSERT ON "user" BEGIN
         INSERT INTO user_stats (user_id) VALUES (new.id); END""",
    """CREATE TRIGGER user_stats_user_ad AFTER DELETE ON "user" BEGIN
         DELETE FROM user_stats WHERE user_id = old.id; END""",
    """CREATE TRIGGER user_stats_message_ai AFTER INSERT ON message BEGIN
         UPDATE user_stats SET posts = posts + 1, hidden = hidden + (new.hidden_at IS NOT NULL)
         WHERE user_id = new.user_id; END""",
    """CREATE TRIGGER user_stats_message_ad AFTER DELETE ON message BEGIN
         UPDATE user_stats SET posts = posts - 1, hidden = hidden - (old.hidden_at IS NOT NULL)
         WHERE user_id = old.user_id; END""",
    """CREATE TRIGGER user_stats_message_au AFTER UPDATE OF hidden_at ON message
         WHEN (old.hidden_at IS NULL) != (new.hidden_at IS NULL) BEGIN
         UPDATE user_stats SET hidden = hidden + (CASE WHEN new.hidden_at IS NULL THEN -1 ELSE 1 END)
         WHERE user_id = new.user_id; END""",
    """CREATE TRIGGER user_stats_relationship_ai AFTER INSERT ON relationship BEGIN
         UPDATE user_stats SET following = following + (user_id = new.from_user_id),
                               followers = followers + (user_id = new.to_user_id)
         WHERE user_id IN (new.from_user_id, new.to_user_id); END""",
    """CREATE TRIGGER user_stats_relationship_ad AFTER DELETE ON relationship BEGIN
         UPDATE user_stats SET following = following - (user_id = old.from_user_id),
                               followers = followers - (user_id = old.to_user_id)
         WHERE user_id IN (old.from_user_id, old.to_user_id); END""",
]

# One function per table; both users of a follow are updated by one statement, in
# primary-key order, so that two follows in opposite directions cannot deadlock.
POSTGRES_FUNCTIONS = {
    "user": """
      IF TG_OP = 'INSERT' THEN INSERT INTO user_stats (user_id) VALUES (NEW.id);
      ELSE DELETE FROM user_stats WHERE user_id = OLD.id; END IF;
      RETURN NULL;""",
    "message": """
      IF TG_OP = 'INSERT' THEN
        UPDATE user_stats SET posts = posts + 1, hidden = hidden + (NEW.hidden_at IS NOT NULL)::int
        WHERE user_id = NEW.user_id;
      ELSIF TG_OP = 'DELETE' THEN
        UPDATE user_stats SET posts = posts - 1, hidden = hidden - (OLD.hidden_at IS NOT NULL)::int
        WHERE user_id = OLD.user_id;
      ELSIF (OLD.hidden_at IS NULL) <> (NEW.hidden_at IS NULL) THEN
        UPDATE user_stats SET hidden = hidden + CASE WHEN NEW.hidden_at IS NULL THEN -1 ELSE 1 END
        WHERE user_id = NEW.user_id;
      END IF;
      RETURN NULL;""",
    "relationship": """
      IF TG_OP = 'INSERT' THEN
        UPDATE user_stats SET following = following + (user_id = NEW.from_user_id)::int,
                              followers = followers + (user_id = NEW.to_user_id)::int
        WHERE user_id IN (NEW.from_user_id, NEW.to_user_id);
      ELSE
        UPDATE user_stats SET following = following - (user_id = OLD.from_user_id)::int,
                              followers = followers - (user_id = OLD.to_user_id)::int
        WHERE user_id IN (OLD.from_user_id, OLD.to_user_id);
      END IF;
      RETURN NULL;""",
}
POSTGRES_EVENTS = {"user": "INSERT OR DELETE", "message": "INSERT OR DELETE OR UPDATE OF hidden_at",
                   "relationship": "INSERT OR DELETE"}

# Correlated counts, each on an index: one index range per user and table.
COUNT_ALL = """
INSERT INTO user_stats (user_id, followers, following, posts, hidden)
SELECT u.id,
  (SELECT COUNT(*) FROM relationship r WHERE r.to_user_id = u.id),
  (SELECT COUNT(*) FROM relationship r WHERE r.from_user_id = u.id),
  (SELECT COUNT(*) FROM message m WHERE m.user_id = u.id),
  (SELECT COUNT(*) FROM message m WHERE m.user_id = u.id AND m.hidden_at IS NOT NULL)
FROM "user" u"""


def trigger_statements(db):
    """The CREATE statements of the counters' triggers for `db` (SQLite or PostgreSQL)."""
    if isinstance(db, SqliteDatabase):
        return list(SQLITE_TRIGGERS)
    statements = []
    for table, body in POSTGRES_FUNCTIONS.items():
        statements.append(f"CREATE OR REPLACE FUNCTION user_stats_{table}() RETURNS trigger "
                          f"LANGUAGE plpgsql AS $$ BEGIN {body} END $$")
        statements.append(f'CREATE TRIGGER user_stats_{table} AFTER {POSTGRES_EVENTS[table]} '
                          f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION user_stats_{table}()')
    return statements


def drop_statements(db):
    """The DROP statements of the counters' triggers for `db`."""
    if isinstance(db, SqliteDatabase):
        names = [s.split()[2] for s in SQLITE_TRIGGERS]
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [f'DROP TRIGGER IF EXISTS user_stats_{table} ON "{table}"'
            for table in POSTGRES_FUNCTIONS]



@contextlib.contextmanager
def suspended():
    """Inside the block the counters are not kept (a bulk load goes faster); at its end
    every user's counters are counted again and the triggers come back."""
    for statement in drop_statements(database.obj):
        database.execute_sql(statement)
    try:
        yield
    finally:
        with database.atomic():
            recount()
            for statement in trigger_statements(database.obj):
                database.execute_sql(statement)


def recount():
    """Count every user's counters from the tables (GROUP BY: one pass over each table)."""
    database.execute_sql("DELETE FROM user_stats")
    database.execute_sql(COUNT_ALL)
