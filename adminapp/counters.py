"""Counters the database keeps, so that no page counts rows whose number grows with the site:

- `user_stats`: each user's followers, following, messages and hidden messages (the
  profile's counts);
- `activity_day`: per day, the messages posted, the accounts made and the distinct
  posters (the dashboard's chart and cards);
- `poster_day`, `followed_day`: per day and user, the messages posted and the follows
  received (the dashboard's top posters and most followed);
- `message_stats`: each message's visible replies and likes (a timeline row's counts);
- `user_stats.unread`: each user's unread notifications (the navigation's count).

Triggers keep them, rather than code in the write paths, so that every writer counts:
the site, the back office, the seed, a test factory, a hand-run statement. The rules
below are written once and turned into SQLite triggers or PostgreSQL trigger functions.
A bulk load drops the triggers and recounts at the end (`suspended()`). The migrations
that created them (0006 to 0009) hold frozen copies of this SQL.
"""
import contextlib

from peewee import SqliteDatabase

from .db import database


def _upsert(table, keys, values):
    """An INSERT that adds 1 to the row's n, or creates it with n = 1."""
    return (f"INSERT INTO {table} ({', '.join(keys)}, n) VALUES ({', '.join(values)}, 1) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table}.n + 1")


def _one_if(condition):
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


# table -> [(event, condition or None, [statements])]. In the statements NEW and OLD
# are the row, DAY(x) the calendar day of the timestamp x.
RULES = {
    "user": [
        ("INSERT", None, [
            "INSERT INTO user_stats (user_id) VALUES (NEW.id)",
            _upsert("activity_day", ["day", "metric"], ["DAY(NEW.join_date)", "'signups'"])]),
        ("DELETE", None, [
            "DELETE FROM user_stats WHERE user_id = OLD.id",
            "UPDATE activity_day SET n = n - 1 WHERE day = DAY(OLD.join_date) "
            "AND metric = 'signups'"]),
        ("UPDATE OF join_date", "DAY(OLD.join_date) <> DAY(NEW.join_date)", [
            "UPDATE activity_day SET n = n - 1 WHERE day = DAY(OLD.join_date) "
            "AND metric = 'signups'",
            _upsert("activity_day", ["day", "metric"], ["DAY(NEW.join_date)", "'signups'"])]),
    ],
    "message": [
        ("INSERT", None, [
            f"UPDATE user_stats SET posts = posts + 1, hidden = hidden + "
            f"{_one_if('NEW.hidden_at IS NOT NULL')} WHERE user_id = NEW.user_id",
            _upsert("activity_day", ["day", "metric"], ["DAY(NEW.pub_date)", "'messages'"]),
            _upsert("poster_day", ["day", "user_id"], ["DAY(NEW.pub_date)", "NEW.user_id"])]),
        ("DELETE", None, [
            f"UPDATE user_stats SET posts = posts - 1, hidden = hidden - "
            f"{_one_if('OLD.hidden_at IS NOT NULL')} WHERE user_id = OLD.user_id",
            "UPDATE activity_day SET n = n - 1 WHERE day = DAY(OLD.pub_date) "
            "AND metric = 'messages'",
            "UPDATE poster_day SET n = n - 1 WHERE day = DAY(OLD.pub_date) "
            "AND user_id = OLD.user_id"]),
        ("UPDATE OF hidden_at", "(OLD.hidden_at IS NULL) <> (NEW.hidden_at IS NULL)", [
            "UPDATE user_stats SET hidden = hidden + "
            "CASE WHEN NEW.hidden_at IS NULL THEN -1 ELSE 1 END WHERE user_id = NEW.user_id"]),
        ("UPDATE OF pub_date", "DAY(OLD.pub_date) <> DAY(NEW.pub_date)", [
            "UPDATE activity_day SET n = n - 1 WHERE day = DAY(OLD.pub_date) "
            "AND metric = 'messages'",
            "UPDATE poster_day SET n = n - 1 WHERE day = DAY(OLD.pub_date) "
            "AND user_id = OLD.user_id",
            _upsert("activity_day", ["day", "metric"], ["DAY(NEW.pub_date)", "'messages'"]),
            _upsert("poster_day", ["day", "user_id"], ["DAY(NEW.pub_date)", "NEW.user_id"])]),
    ],
    # both users of a follow in one statement: rows are locked in key order, so two
    # follows in opposite directions cannot deadlock on PostgreSQL
    "relationship": [
        ("INSERT", None, [
            f"UPDATE user_stats SET following = following + {_one_if('user_id = NEW.from_user_id')}, "
            f"followers = followers + {_one_if('user_id = NEW.to_user_id')} "
            "WHERE user_id IN (NEW.from_user_id, NEW.to_user_id)",
            "INSERT INTO followed_day (day, user_id, n) SELECT DAY(NEW.created), NEW.to_user_id, 1 "
            "WHERE NEW.created IS NOT NULL "
            "ON CONFLICT (day, user_id) DO UPDATE SET n = followed_day.n + 1"]),
        ("DELETE", None, [
            f"UPDATE user_stats SET following = following - {_one_if('user_id = OLD.from_user_id')}, "
            f"followers = followers - {_one_if('user_id = OLD.to_user_id')} "
            "WHERE user_id IN (OLD.from_user_id, OLD.to_user_id)",
            "UPDATE followed_day SET n = n - 1 WHERE day = DAY(OLD.created) "
            "AND user_id = OLD.to_user_id"]),
        ("UPDATE OF created", "(DAY(OLD.created) <> DAY(NEW.created) "
                              "OR (OLD.created IS NULL) <> (NEW.created IS NULL))", [
            "UPDATE followed_day SET n = n - 1 WHERE day = DAY(OLD.created) "
            "AND user_id = OLD.to_user_id",
            "INSERT INTO followed_day (day, user_id, n) SELECT DAY(NEW.created), NEW.to_user_id, 1 "
            "WHERE NEW.created IS NOT NULL "
            "ON CONFLICT (day, user_id) DO UPDATE SET n = followed_day.n + 1"]),
    ],
    "poster_day": [
        ("INSERT", None, [
            _upsert("activity_day", ["day", "metric"], ["NEW.day", "'posters'"])]),
    ],
}

# A message's counts (migration 0008): triggers of their own, named threads_*.
THREAD_RULES = {
    "message": [
        ("INSERT", "NEW.in_reply_to_id IS NOT NULL AND NEW.hidden_at IS NULL", [
            "INSERT INTO message_stats (message_id, replies) VALUES (NEW.in_reply_to_id, 1) "
            "ON CONFLICT (message_id) DO UPDATE SET replies = message_stats.replies + 1"]),
        ("DELETE", "OLD.in_reply_to_id IS NOT NULL AND OLD.hidden_at IS NULL", [
            "UPDATE message_stats SET replies = replies - 1 WHERE message_id = OLD.in_reply_to_id"]),
        ("UPDATE OF hidden_at",
         "NEW.in_reply_to_id IS NOT NULL AND (OLD.hidden_at IS NULL) <> (NEW.hidden_at IS NULL)", [
             "INSERT INTO message_stats (message_id, replies) VALUES (NEW.in_reply_to_id, "
             "CASE WHEN NEW.hidden_at IS NULL THEN 1 ELSE -1 END) "
             "ON CONFLICT (message_id) DO UPDATE SET replies = message_stats.replies + "
             "CASE WHEN NEW.hidden_at IS NULL THEN 1 ELSE -1 END"]),
    ],
    "message_like": [
        ("INSERT", None, [
            "INSERT INTO message_stats (message_id, likes) VALUES (NEW.message_id, 1) "
            "ON CONFLICT (message_id) DO UPDATE SET likes = message_stats.likes + 1"]),
        ("DELETE", None, [
            "UPDATE message_stats SET likes = likes - 1 WHERE message_id = OLD.message_id"]),
    ],
}
# A user's unread notifications (migration 0009): triggers named notices_*.
NOTICE_RULES = {
    "notification": [
        ("INSERT", "NEW.read_at IS NULL", [
            "UPDATE user_stats SET unread = unread + 1 WHERE user_id = NEW.recipient_id"]),
        ("DELETE", "OLD.read_at IS NULL", [
            "UPDATE user_stats SET unread = unread - 1 WHERE user_id = OLD.recipient_id"]),
        ("UPDATE OF read_at", "(OLD.read_at IS NULL) <> (NEW.read_at IS NULL)", [
            "UPDATE user_stats SET unread = unread + "
            "CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END WHERE user_id = NEW.recipient_id"]),
    ],
}
GROUPS = {"counters": RULES, "threads": THREAD_RULES, "notices": NOTICE_RULES}

# Count everything from the tables, each statement one pass (GROUP BY) over one table.
# A user's posts and hidden messages are two passes over indexes (user_id first, and the
# partial one of hidden rows) rather than one that read every message row for hidden_at
# through the author index: 5.5 s at 1,000,000 messages on SQLite, against 0.2 s.
RECOUNT = [
    "DELETE FROM user_stats", "DELETE FROM poster_day", "DELETE FROM followed_day",
    """INSERT INTO user_stats (user_id, followers, following, posts, hidden)
       SELECT u.id, COALESCE(fr.n, 0), COALESCE(fg.n, 0), COALESCE(m.n, 0), COALESCE(h.hidden, 0)
       FROM "user" u
       LEFT JOIN (SELECT to_user_id AS id, COUNT(*) AS n FROM relationship GROUP BY to_user_id) fr
         ON fr.id = u.id
       LEFT JOIN (SELECT from_user_id AS id, COUNT(*) AS n FROM relationship GROUP BY from_user_id) fg
         ON fg.id = u.id
       LEFT JOIN (SELECT user_id AS id, COUNT(*) AS n FROM message GROUP BY user_id) m
         ON m.id = u.id
       LEFT JOIN (SELECT user_id AS id, COUNT(*) AS hidden FROM message
                  WHERE hidden_at IS NOT NULL GROUP BY user_id) h ON h.id = u.id""",
    """UPDATE user_stats SET unread = c.n FROM (
         SELECT recipient_id, COUNT(*) AS n FROM notification WHERE read_at IS NULL
         GROUP BY recipient_id) c
       WHERE c.recipient_id = user_stats.user_id""",
    """INSERT INTO poster_day (day, user_id, n)
       SELECT DAY(pub_date), user_id, COUNT(*) FROM message GROUP BY DAY(pub_date), user_id""",
    """INSERT INTO followed_day (day, user_id, n)
       SELECT DAY(created), to_user_id, COUNT(*) FROM relationship WHERE created IS NOT NULL
       GROUP BY DAY(created), to_user_id""",
    "DELETE FROM message_stats",
    """INSERT INTO message_stats (message_id, replies, likes)
       SELECT id, SUM(r), SUM(l) FROM (
         SELECT in_reply_to_id AS id, COUNT(*) AS r, 0 AS l FROM message
         WHERE in_reply_to_id IS NOT NULL AND hidden_at IS NULL GROUP BY in_reply_to_id
         UNION ALL
         SELECT message_id, 0, COUNT(*) FROM message_like GROUP BY message_id) s
       GROUP BY id""",
    # last: filling poster_day may have touched it through its trigger
    "DELETE FROM activity_day",
    """INSERT INTO activity_day (day, metric, n)
       SELECT day, 'messages', SUM(n) FROM poster_day GROUP BY day
       UNION ALL SELECT day, 'posters', COUNT(*) FROM poster_day WHERE n > 0 GROUP BY day
       UNION ALL SELECT DAY(join_date), 'signups', COUNT(*) FROM "user" GROUP BY DAY(join_date)""",
]


def _column(event):
    """"_pub_date" for "UPDATE OF pub_date" (trigger names), "" for other events."""
    return "_" + event.split()[-1] if event.startswith("UPDATE OF") else ""


def _events(events):
    """PostgreSQL's event list: "INSERT OR DELETE OR UPDATE OF a, b" (one UPDATE OF)."""
    kinds = [event for event, _, _ in events if not event.startswith("UPDATE OF")]
    columns = [event.split()[-1] for event, _, _ in events if event.startswith("UPDATE OF")]
    return " OR ".join(kinds + ([f"UPDATE OF {', '.join(columns)}"] if columns else []))


def _dialect(sql, db, row_names=("NEW", "OLD")):
    """`sql` with DAY(x) written for `db` (SQLite: date(x); PostgreSQL: CAST(x AS date))."""
    sqlite = isinstance(db, SqliteDatabase)
    out, rest = [], sql
    while "DAY(" in rest:
        head, _, tail = rest.partition("DAY(")
        depth, i = 1, 0
        while depth:
            depth += {"(": 1, ")": -1}.get(tail[i], 0)
            i += 1
        inner = tail[:i - 1]
        out.append(head + (f"date({inner})" if sqlite else f"CAST({inner} AS date)"))
        rest = tail[i:]
    sql = "".join(out) + rest
    if sqlite:  # SQLite's trigger bodies name the rows in lower case; either works
        sql = sql.replace("NEW.", "new.").replace("OLD.", "old.")
    return sql


def trigger_statements(db):
    """The statements that create every counter trigger on `db`."""
    statements = []
    for group, rules in GROUPS.items():
        for table, events in rules.items():
            statements += _table_triggers(db, group, table, events)
    return statements


def _table_triggers(db, group, table, events):
    """SQLite: a trigger per event, `group`_`table`_`event`; PostgreSQL: one function and
    one trigger, `group`_`table`, for every event."""
    if isinstance(db, SqliteDatabase):
        statements = []
        for event, condition, body in events:
            when = f" WHEN {_dialect(condition, db)}" if condition else ""
            statements.append(
                f'CREATE TRIGGER {_trigger_name(group, table, event)} AFTER {event} ON "{table}"'
                f"{when} BEGIN " + " ".join(_dialect(s, db) + ";" for s in body) + " END")
        return statements
    branches = []
    for event, condition, body in events:
        test = f"TG_OP = '{event.split()[0]}'" + (f" AND {_dialect(condition, db)}"
                                                   if condition else "")
        branches.append(f"IF {test} THEN " + " ".join(_dialect(s, db) + ";" for s in body)
                        + " END IF;")
    return [f"CREATE OR REPLACE FUNCTION {group}_{table}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {' '.join(branches)} RETURN NULL; END $$",
            f'CREATE TRIGGER {group}_{table} AFTER {_events(events)} ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {group}_{table}()"]


def _trigger_name(group, table, event):
    return f"{group}_{table}_{event.split()[0].lower()}{_column(event)}"


def drop_statements(db):
    """The statements that drop every counter trigger on `db`."""
    if isinstance(db, SqliteDatabase):
        return [f"DROP TRIGGER IF EXISTS {_trigger_name(group, table, event)}"
                for group, rules in GROUPS.items()
                for table, events in rules.items() for event, _, _ in events]
    return [f'DROP TRIGGER IF EXISTS {group}_{table} ON "{table}"'
            for group, rules in GROUPS.items() for table in rules]


def recount():
    """Count every counter again from the tables."""
    for statement in RECOUNT:
        database.execute_sql(_dialect(statement, database.obj))


@contextlib.contextmanager
def suspended():
    """Inside the block the counters are not kept (a bulk load goes faster); at its end
    everything is counted again and the triggers come back."""
    for statement in drop_statements(database.obj):
        database.execute_sql(statement)
    try:
        yield
    finally:
        with database.atomic():
            recount()
            for statement in trigger_statements(database.obj):
                database.execute_sql(statement)
