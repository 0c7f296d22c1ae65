"""Per-day counters for the dashboard, kept by triggers like user_stats (0006).

The dashboard counted messages per day, distinct posters today, this week's top
posters and most followed users from the message and relationship tables: 92 ms at
1,000,000 messages and 62 s at 10,000,000 (past gunicorn's 30 s timeout). These
tables keep the counts as rows are written, so that the dashboard reads about a
hundred rows whatever the size of the site:

- activity_day (day, metric, n): messages, signups, posters (distinct) per day;
- poster_day (day, user_id, n): messages per user per day;
- followed_day (day, user_id, n): new follows received per user per day.

The triggers of 0006 are replaced by one set for every counter (adminapp/counters.py
holds the live copy of this SQL; this one is frozen), and everything is counted once.
"""
from peewee import SQL, CharField, CompositeKey, DateField, IntegerField, Model, SqliteDatabase


def _upsert(table, keys, values):
    return (f"INSERT INTO {table} ({', '.join(keys)}, n) VALUES ({', '.join(values)}, 1) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table}.n + 1")


def _one_if(condition):
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


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
        ("INSERT", None, [_upsert("activity_day", ["day", "metric"], ["NEW.day", "'posters'"])]),
    ],
}

RECOUNT = [
    "DELETE FROM user_stats", "DELETE FROM poster_day", "DELETE FROM followed_day",
    """INSERT INTO user_stats (user_id, followers, following, posts, hidden)
       SELECT u.id, COALESCE(fr.n, 0), COALESCE(fg.n, 0), COALESCE(m.n, 0), COALESCE(m.hidden, 0)
       FROM "user" u
       LEFT JOIN (SELECT to_user_id AS id, COUNT(*) AS n FROM relationship GROUP BY to_user_id) fr
         ON fr.id = u.id
       LEFT JOIN (SELECT from_user_id AS id, COUNT(*) AS n FROM relationship GROUP BY from_user_id) fg
         ON fg.id = u.id
       LEFT JOIN (SELECT user_id AS id, COUNT(*) AS n,
                         SUM(CASE WHEN hidden_at IS NULL THEN 0 ELSE 1 END) AS hidden
                  FROM message GROUP BY user_id) m ON m.id = u.id""",
    """INSERT INTO poster_day (day, user_id, n)
       SELECT DAY(pub_date), user_id, COUNT(*) FROM message GROUP BY DAY(pub_date), user_id""",
    """INSERT INTO followed_day (day, user_id, n)
       SELECT DAY(created), to_user_id, COUNT(*) FROM relationship WHERE created IS NOT NULL
       GROUP BY DAY(created), to_user_id""",
    # last: filling poster_day may have touched it through its trigger
    "DELETE FROM activity_day",
    """INSERT INTO activity_day (day, metric, n)
       SELECT day, 'messages', SUM(n) FROM poster_day GROUP BY day
       UNION ALL SELECT day, 'posters', COUNT(*) FROM poster_day WHERE n > 0 GROUP BY day
       UNION ALL SELECT DAY(join_date), 'signups', COUNT(*) FROM "user" GROUP BY DAY(join_date)""",
]

OLD_SQLITE_TRIGGERS = ["user_stats_user_ai", "user_stats_user_ad", "user_stats_message_ai",
                       "user_stats_message_ad", "user_stats_message_au",
                       "user_stats_relationship_ai", "user_stats_relationship_ad"]


def _column(event):
    """"_pub_date" for "UPDATE OF pub_date" (trigger names), "" for other events."""
    return "_" + event.split()[-1] if event.startswith("UPDATE OF") else ""


def _events(events):
    """PostgreSQL's event list: "INSERT OR DELETE OR UPDATE OF a, b" (one UPDATE OF)."""
    kinds = [event for event, _, _ in events if not event.startswith("UPDATE OF")]
    columns = [event.split()[-1] for event, _, _ in events if event.startswith("UPDATE OF")]
    return " OR ".join(kinds + ([f"UPDATE OF {', '.join(columns)}"] if columns else []))


def _dialect(sql, db):
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
    if sqlite:
        sql = sql.replace("NEW.", "new.").replace("OLD.", "old.")
    return sql


def _triggers(db):
    statements = []
    if isinstance(db, SqliteDatabase):
        for table, events in RULES.items():
            for event, condition, body in events:
                name = f"counters_{table}_{event.split()[0].lower()}{_column(event)}"
                when = f" WHEN {_dialect(condition, db)}" if condition else ""
                statements.append(f'CREATE TRIGGER {name} AFTER {event} ON "{table}"{when} BEGIN '
                                  + " ".join(_dialect(s, db) + ";" for s in body) + " END")
        return statements
    for table, events in RULES.items():
        branches = []
        for event, condition, body in events:
            test = f"TG_OP = '{event.split()[0]}'" + (f" AND {_dialect(condition, db)}"
                                                       if condition else "")
            branches.append(f"IF {test} THEN " + " ".join(_dialect(s, db) + ";" for s in body)
                            + " END IF;")
        ops = _events(events)
        statements.append(f"CREATE OR REPLACE FUNCTION counters_{table}() RETURNS trigger "
                          f"LANGUAGE plpgsql AS $$ BEGIN {' '.join(branches)} RETURN NULL; END $$")
        statements.append(f'CREATE TRIGGER counters_{table} AFTER {ops} ON "{table}" '
                          f"FOR EACH ROW EXECUTE FUNCTION counters_{table}()")
    return statements


def _drop_old(db):
    if isinstance(db, SqliteDatabase):
        return [f"DROP TRIGGER IF EXISTS {name}" for name in OLD_SQLITE_TRIGGERS]
    return [f'DROP TRIGGER IF EXISTS user_stats_{table} ON "{table}"'
            for table in ("user", "message", "relationship")]


def _models(db):
    class Base(Model):
        n = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

        class Meta:
            database = db

    class ActivityDay(Base):
        day = DateField()
        metric = CharField(max_length=16)

        class Meta:
            table_name = "activity_day"
            primary_key = CompositeKey("day", "metric")

    class PosterDay(Base):
        day = DateField()
        user_id = IntegerField()

        class Meta:
            table_name = "poster_day"
            primary_key = CompositeKey("day", "user_id")
            indexes = ((("day", "n"), False),)

    class FollowedDay(Base):
        day = DateField()
        user_id = IntegerField()

        class Meta:
            table_name = "followed_day"
            primary_key = CompositeKey("day", "user_id")
            indexes = ((("day", "n"), False),)

    return [ActivityDay, PosterDay, FollowedDay]


def up(migrator, db):
    db.create_tables(_models(db), safe=True)
    with db.atomic():
        for statement in _drop_old(db) + [_dialect(s, db) for s in RECOUNT] + _triggers(db):
            db.execute_sql(statement)


def down(migrator, db):
    for table in RULES:
        if isinstance(db, SqliteDatabase):
            for event, _, _ in RULES[table]:
                db.execute_sql(f"DROP TRIGGER IF EXISTS counters_{table}_"
                               f"{event.split()[0].lower()}{_column(event)}")
        else:
            db.execute_sql(f'DROP TRIGGER IF EXISTS counters_{table} ON "{table}"')
    db.drop_tables(_models(db), safe=True)
