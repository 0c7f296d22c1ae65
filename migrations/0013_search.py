"""Search: a full-text index of the messages, their hashtags, and prefix indexes on names.

- SQLite: message_fts, an FTS5 table with external content on message (rowid = id),
  kept by triggers that remove a row with FTS5's 'delete' command (a plain DELETE on an
  external-content table corrupts it), filled for the existing rows by 'rebuild'.
- PostgreSQL: message.search_vector, a stored generated column
  to_tsvector('simple', content with its punctuation made spaces), with a GIN index
  ('simple': the site is written in every language, names and hashtags must not be
  stemmed; without punctuation PostgreSQL's parser reads words as FTS5's unicode61 does,
  where it would read `<b>` as a tag and drop it, `x.org` as one host...), and a
  statistics target of 2000 on it, so that the planner knows a rare word when it sees one.
- message_tag (tag, message_id): the hashtags of a message, lowercased, stored when it
  is posted; its primary key (tag, message_id) reads a tag's newest messages first,
  its index on message_id serves the cascade when a message is deleted. Filled here for
  the existing messages.
- PostgreSQL: lower(username) and lower(email) with text_pattern_ops, so that a prefix
  (LIKE 'ab%') reads an index whatever the database's collation (SQLite's range on
  the existing lower() indexes needs none).

adminapp/search.py holds the live copy of this SQL; this one is frozen.
"""
import re
import time
import unicodedata

from peewee import CharField, CompositeKey, ForeignKeyField, Model, SqliteDatabase

FTS_TRIGGERS = {
    "search_message_insert": "AFTER INSERT ON message BEGIN "
    "INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content); END",
    "search_message_delete": "AFTER DELETE ON message BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content); "
    "END",
    "search_message_update": "AFTER UPDATE OF content ON message BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content); "
    "INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content); END",
}
# formatting.TAG_RE as it was when this ran
TAG_RE = re.compile(r"(?<![^\s(\[{\"'“‘«])#(\w{1,50})(?!\w)")
TAG_MAX = 50


def _models(db):
    class Message(Model):
        class Meta:
            database = db
            table_name = "message"

    class MessageTag(Model):
        tag = CharField(max_length=TAG_MAX)
        message = ForeignKeyField(Message, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "message_tag"
            primary_key = CompositeKey("tag", "message")

    return Message, MessageTag


def _tags(content):
    found = (unicodedata.normalize("NFC", t).casefold()[:TAG_MAX] for t in TAG_RE.findall(content))
    return [t for t in dict.fromkeys(found) if any(c.isalpha() for c in t)][:10]


def up(migrator, db):
    Message, MessageTag = _models(db)
    started = time.perf_counter()
    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(content, "
                       "content='message', content_rowid='id', "
                       "tokenize='unicode61 remove_diacritics 0')")
        db.execute_sql("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
        for name, body in FTS_TRIGGERS.items():
            db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    else:
        db.execute_sql('ALTER TABLE "message" ADD COLUMN IF NOT EXISTS "search_vector" tsvector '
                       "GENERATED ALWAYS AS (to_tsvector('simple', "
                       "regexp_replace(content, '[[:punct:]]', ' ', 'g'))) STORED")
        db.execute_sql('CREATE INDEX IF NOT EXISTS "message_search_vector" ON "message" '
                       'USING GIN ("search_vector")')
        # the planner's list of frequent words: with the default 1,000 it took every other
        # word for one in 2,400 of 1,000,000 messages, and walked them all newest first
        # for a word in 10 (0.9 s); with 20,000 a rare word reads the GIN index (0.1 ms)
        db.execute_sql('ALTER TABLE "message" ALTER COLUMN "search_vector" SET STATISTICS 2000')
        db.execute_sql('CREATE INDEX IF NOT EXISTS "user_username_prefix" ON "user" '
                       "(lower(username) text_pattern_ops)")
        db.execute_sql('CREATE INDEX IF NOT EXISTS "user_email_prefix" ON "user" '
                       "(lower(email) text_pattern_ops)")
    indexed = time.perf_counter() - started
    db.create_tables([MessageTag], safe=True)
    rows = ((tag, message_id) for message_id, content in
            db.execute_sql(f"SELECT id, content FROM message WHERE content LIKE {db.param}",
                           ("%#%",)).fetchall()
            for tag in _tags(content))
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 1000:
            MessageTag.insert_many(batch, fields=[MessageTag.tag, MessageTag.message]).execute()
            batch = []
    if batch:
        MessageTag.insert_many(batch, fields=[MessageTag.tag, MessageTag.message]).execute()
    print(f"0013_search: full-text index built in {indexed:.2f} s, hashtags in "
          f"{time.perf_counter() - started - indexed:.2f} s")


def down(migrator, db):
    Message, MessageTag = _models(db)
    db.drop_tables([MessageTag], safe=True)
    if isinstance(db, SqliteDatabase):
        for name in FTS_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
        db.execute_sql("DROP TABLE IF EXISTS message_fts")
    else:
        db.execute_sql('DROP INDEX IF EXISTS "user_username_prefix"')
        db.execute_sql('DROP INDEX IF EXISTS "user_email_prefix"')
        db.execute_sql('DROP INDEX IF EXISTS "message_search_vector"')
        db.execute_sql('ALTER TABLE "message" DROP COLUMN IF EXISTS "search_vector"')
