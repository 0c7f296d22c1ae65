"""Conversations: replies, likes, and the counts a message shows.

- message.in_reply_to_id: the message this one answers (NULL when that one is deleted:
  ON DELETE SET NULL); message.in_reply_to_user_id: its author, kept with the reply, so
  that a reply whose parent was deleted still reads "replying to a deleted message", and
  a row shows "replying to @name" without reading the parent. A partial index holds the
  replies only, by parent and date: a thread's replies, oldest first.
- message_like (user_id, message_id, created): who liked what, one row per pair.
- message_stats (message_id, replies, likes): each message's visible replies and likes,
  kept by triggers like user_stats (adminapp/counters.py holds the live copy of this SQL;
  this one is frozen), so that a timeline row shows its counts from one primary-key probe.
"""
from peewee import (SQL, CompositeKey, DateTimeField, ForeignKeyField, IntegerField, Model,
                    SqliteDatabase)

# (table, event, condition or None, statements); NEW/OLD are the row
RULES = [
    ("message", "INSERT", "NEW.in_reply_to_id IS NOT NULL AND NEW.hidden_at IS NULL", [
        "INSERT INTO message_stats (message_id, replies) VALUES (NEW.in_reply_to_id, 1) "
        "ON CONFLICT (message_id) DO UPDATE SET replies = message_stats.replies + 1"]),
    ("message", "DELETE", "OLD.in_reply_to_id IS NOT NULL AND OLD.hidden_at IS NULL", [
        "UPDATE message_stats SET replies = replies - 1 WHERE message_id = OLD.in_reply_to_id"]),
    ("message", "UPDATE OF hidden_at",
     "NEW.in_reply_to_id IS NOT NULL AND (OLD.hidden_at IS NULL) <> (NEW.hidden_at IS NULL)", [
         "INSERT INTO message_stats (message_id, replies) VALUES (NEW.in_reply_to_id, "
         "CASE WHEN NEW.hidden_at IS NULL THEN 1 ELSE -1 END) "
         "ON CONFLICT (message_id) DO UPDATE SET replies = message_stats.replies + "
         "CASE WHEN NEW.hidden_at IS NULL THEN 1 ELSE -1 END"]),
    ("message_like", "INSERT", None, [
        "INSERT INTO message_stats (message_id, likes) VALUES (NEW.message_id, 1) "
        "ON CONFLICT (message_id) DO UPDATE SET likes = message_stats.likes + 1"]),
    ("message_like", "DELETE", None, [
        "UPDATE message_stats SET likes = likes - 1 WHERE message_id = OLD.message_id"]),
]

RECOUNT = [
    "DELETE FROM message_stats",
    """INSERT INTO message_stats (message_id, replies, likes)
       SELECT id, SUM(r), SUM(l) FROM (
         SELECT in_reply_to_id AS id, COUNT(*) AS r, 0 AS l FROM message
         WHERE in_reply_to_id IS NOT NULL AND hidden_at IS NULL GROUP BY in_reply_to_id
         UNION ALL
         SELECT message_id, 0, COUNT(*) FROM message_like GROUP BY message_id) s
       GROUP BY id""",
]


def _name(table, event):
    """threads_message_insert, threads_message_update_hidden_at, ... (counters.py's names)."""
    column = "_" + event.split()[-1] if event.startswith("UPDATE OF") else ""
    return f"threads_{table}_{event.split()[0].lower()}{column}"


def _triggers(db):
    if isinstance(db, SqliteDatabase):
        def lower(sql):
            return sql.replace("NEW.", "new.").replace("OLD.", "old.")
        return [f'CREATE TRIGGER {_name(table, event)} AFTER {event} ON "{table}"'
                + (f" WHEN {lower(condition)}" if condition else "") + " BEGIN "
                + " ".join(lower(s) + ";" for s in body) + " END"
                for table, event, condition, body in RULES]
    statements = []
    for table in ("message", "message_like"):
        rules = [r for r in RULES if r[0] == table]
        branches = " ".join(
            f"IF TG_OP = '{event.split()[0]}'" + (f" AND {condition}" if condition else "")
            + " THEN " + " ".join(s + ";" for s in body) + " END IF;"
            for _, event, condition, body in rules)
        events = " OR ".join(event for _, event, _, _ in rules)
        statements += [
            f"CREATE OR REPLACE FUNCTION threads_{table}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {branches} RETURN NULL; END $$",
            f'CREATE TRIGGER threads_{table} AFTER {events} ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION threads_{table}()"]
    return statements


def _models(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Message(Model):
        in_reply_to = ForeignKeyField("self", null=True, on_delete="SET NULL", index=False)
        in_reply_to_user = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        pub_date = DateTimeField()

        class Meta:
            database = db
            table_name = "message"

    class MessageLike(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", index=False)  # the primary key's first
        message = ForeignKeyField(Message, on_delete="CASCADE")
        created = DateTimeField()

        class Meta:
            database = db
            table_name = "message_like"
            primary_key = CompositeKey("user", "message")

    class MessageStats(Model):
        message = ForeignKeyField(Message, primary_key=True, on_delete="CASCADE")
        replies = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
        likes = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

        class Meta:
            database = db
            table_name = "message_stats"

    return Message, MessageLike, MessageStats


def up(migrator, db):
    Message, MessageLike, MessageStats = _models(db)
    migrator.migrate(
        migrator.add_column("message", "in_reply_to_id", Message.in_reply_to),
        migrator.add_column("message", "in_reply_to_user_id", Message.in_reply_to_user))
    db.execute(Message.index(Message.in_reply_to, Message.pub_date, Message.id,
                             where=Message.in_reply_to.is_null(False),
                             name="message_replies"))
    db.create_tables([MessageLike, MessageStats], safe=True)
    for statement in RECOUNT + _triggers(db):
        db.execute_sql(statement)


def down(migrator, db):
    Message, MessageLike, MessageStats = _models(db)
    if isinstance(db, SqliteDatabase):
        for table, event, _, _ in RULES:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {_name(table, event)}")
    else:
        db.execute_sql('DROP TRIGGER IF EXISTS threads_message ON "message"')
        db.execute_sql("DROP FUNCTION IF EXISTS threads_message()")
        db.execute_sql("DROP FUNCTION IF EXISTS threads_message_like() CASCADE")
    db.drop_tables([MessageLike, MessageStats], safe=True)
    migrator.migrate(migrator.drop_index("message", "message_replies"),
                     migrator.drop_column("message", "in_reply_to_user_id"),
                     migrator.drop_column("message", "in_reply_to_id"))
