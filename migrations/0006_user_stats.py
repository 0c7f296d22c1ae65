"""Counters per user, kept by the database: followers, following, messages, hidden.

A profile showed counts read from indexes: every message of the user (2.6 ms for
39,671 messages on SQLite; on PostgreSQL 9.8 ms after VACUUM, 295 ms before), every
follower of a popular account. These counters make the profile's counts one row,
whatever the user's history (Mastodon's account_stats). Triggers keep them, so that
every write path (the site, the back office, the seed, a test factory, a hand-run
SQL statement) counts; the seed drops them for its bulk load and recounts after.
The existing rows are counted here once. adminapp/counters.py holds the live copy
of this SQL; this one is frozen.
"""
from peewee import SQL, IntegerField, Model, SqliteDatabase

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

COUNT_ALL = """
INSERT INTO user_stats (user_id, followers, following, posts, hidden)
SELECT u.id,
  (SELECT COUNT(*) FROM relationship r WHERE r.to_user_id = u.id),
  (SELECT COUNT(*) FROM relationship r WHERE r.from_user_id = u.id),
  (SELECT COUNT(*) FROM message m WHERE m.user_id = u.id),
  (SELECT COUNT(*) FROM message m WHERE m.user_id = u.id AND m.hidden_at IS NOT NULL)
FROM "user" u"""


def _model(db):
    class UserStats(Model):
        user_id = IntegerField(primary_key=True)
        # DEFAULT in the table: the user trigger inserts the user_id alone
        followers = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
        following = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
        posts = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
        hidden = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

        class Meta:
            database = db
            table_name = "user_stats"

    return UserStats


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


def up(migrator, db):
    db.create_tables([_model(db)], safe=True)
    with db.atomic():
        db.execute_sql("DELETE FROM user_stats")
        db.execute_sql(COUNT_ALL)
        for statement in trigger_statements(db):
            db.execute_sql(statement)


def down(migrator, db):
    for statement in drop_statements(db):
        db.execute_sql(statement)
    db.drop_tables([_model(db)], safe=True)
