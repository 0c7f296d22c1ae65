"""Notifications, mentions, and the unread count.

- notification (recipient, kind, actor, message, text, created, read_at): what happened
  to someone (a mention, a reply, a follow, a like, a moderation decision), newest first
  by (recipient, created, id); deleted with its recipient, actor or message.
- message.mentions: the lowercased names of the existing users a message mentioned when it
  was posted, space-separated (parsed once: the row links them without a query).
- user_stats.unread: the recipient's unread notifications, kept by triggers like the
  other counters (adminapp/counters.py holds the live copy of this SQL; this one is
  frozen), so that the navigation's count is read with the session's user.
"""
from peewee import CharField, DateTimeField, ForeignKeyField, Model, SqliteDatabase, TextField

RULES = [
    ("INSERT", "NEW.read_at IS NULL",
     "UPDATE user_stats SET unread = unread + 1 WHERE user_id = NEW.recipient_id"),
    ("DELETE", "OLD.read_at IS NULL",
     "UPDATE user_stats SET unread = unread - 1 WHERE user_id = OLD.recipient_id"),
    ("UPDATE OF read_at", "(OLD.read_at IS NULL) <> (NEW.read_at IS NULL)",
     "UPDATE user_stats SET unread = unread + CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END "
     "WHERE user_id = NEW.recipient_id"),
]


def _triggers(db):
    if isinstance(db, SqliteDatabase):
        def lower(sql):
            return sql.replace("NEW.", "new.").replace("OLD.", "old.")
        return [f"CREATE TRIGGER notices_notification_{event.split()[0].lower()}"
                + ("_read_at" if event.startswith("UPDATE") else "")
                + f' AFTER {event} ON "notification" WHEN {lower(condition)} BEGIN '
                f"{lower(body)}; END" for event, condition, body in RULES]
    branches = " ".join(f"IF TG_OP = '{event.split()[0]}' AND {condition} THEN {body}; END IF;"
                        for event, condition, body in RULES)
    return ["CREATE OR REPLACE FUNCTION notices_notification() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {branches} RETURN NULL; END $$",
            'CREATE TRIGGER notices_notification AFTER INSERT OR DELETE OR UPDATE OF read_at ON '
            '"notification" FOR EACH ROW EXECUTE FUNCTION notices_notification()']


def _models(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Message(Model):
        mentions = TextField(null=True)

        class Meta:
            database = db
            table_name = "message"

    class Notification(Model):
        recipient = ForeignKeyField(User, on_delete="CASCADE", index=False)
        kind = CharField(max_length=16)
        actor = ForeignKeyField(User, null=True, on_delete="CASCADE")
        message = ForeignKeyField(Message, null=True, on_delete="CASCADE")
        text = CharField(max_length=200, null=True)
        created = DateTimeField()
        read_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "notification"
            indexes = ((("recipient", "created", "id"), False),)

    return Message, Notification


def up(migrator, db):
    Message, Notification = _models(db)
    # plain ALTERs: peewee's SQLite migrator rebuilds a table for a column with a default,
    # which the counter triggers on user_stats do not survive
    db.execute_sql('ALTER TABLE "message" ADD COLUMN "mentions" TEXT')
    db.execute_sql('ALTER TABLE "user_stats" ADD COLUMN "unread" INTEGER NOT NULL DEFAULT 0')
    db.create_tables([Notification], safe=True)
    for statement in _triggers(db):
        db.execute_sql(statement)


def down(migrator, db):
    Message, Notification = _models(db)
    db.drop_tables([Notification], safe=True)
    migrator.migrate(migrator.drop_column("user_stats", "unread"),
                     migrator.drop_column("message", "mentions"))
