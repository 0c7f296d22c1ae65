"""Full-text search: what a query means, the index's SQL, and the marks on what matched.

One meaning on both databases: a query is its words (letters and digits, any script),
every one of which a message must hold, ignoring case but not accents. Nothing a person
types reaches the search engine's own syntax: FTS5 gets each word as a quoted string
(its MATCH syntax raises on `"`, `-x`, `*`, `NEAR(`, `a AND`: tests/test_search.py has
the junk queries that did), and PostgreSQL gets the words through plainto_tsquery,
which parses no operators.

- SQLite: an FTS5 table with external content, `message_fts` (rowid = message.id),
  kept by triggers that remove a row with FTS5's 'delete' command (a plain DELETE on an
  external-content table corrupts it); unicode61 without diacritic folding, so that it
  agrees with PostgreSQL.
- PostgreSQL: `message.search_vector`, a stored generated column (PG_VECTOR), with a
  GIN index. 'simple' rather than 'english': the site is written in every language (an
  English stemmer would mangle the others' words and names), people search for names
  and hashtags that must not be stemmed, and it does what FTS5's unicode61 does, so
  both databases find the same messages. Punctuation becomes spaces first: PostgreSQL's
  parser read `<script>` as an XML tag and dropped it, `x.org` as one host, `a_b` as
  one word, where FTS5 (and search.terms) read words.

Migration 0013 holds the frozen copy of this SQL; the seed (bulk loads) uses this one.
"""
import contextlib
import re
import unicodedata

from markupsafe import Markup

from . import db
from .db import database

QUERY_MAX = 200    # characters of a search that are read (the site's box, the API's ?q=)
TERMS_MAX = 8      # words of a query that count; the rest are ignored
TERM_MAX = 64      # characters of a word that count
WORD_RE = re.compile(r"[^\W_]+")  # the words FTS5's unicode61 and PostgreSQL's parser see

FTS_TABLE = "message_fts"
FTS_CREATE = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(content, "
              "content='message', content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
FTS_TRIGGERS = {
    "search_message_insert": "AFTER INSERT ON message BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content); END",
    "search_message_delete": "AFTER DELETE ON message BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content); "
    "END",
    "search_message_update": "AFTER UPDATE OF content ON message BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content); "
    f"INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content); END",
}
PG_CONFIG = "simple"
PG_COLUMN = "search_vector"
PG_VECTOR = "to_tsvector('simple', regexp_replace(content, '[[:punct:]]', ' ', 'g'))"
PG_INDEX = "message_search_vector"


def terms(text, limit=TERMS_MAX):
    """The words of the query `text` that count (at most `limit`, each cut at TERM_MAX
    characters), lowercased, in order, without repeats: [] when it has none (only
    punctuation, quotes, operators, spaces)."""
    text = unicodedata.normalize("NFC", (text or "")[:1000])
    found = dict.fromkeys(word.lower()[:TERM_MAX] for word in WORD_RE.findall(text))
    return list(found)[:limit]


def fts5_query(words):
    """An FTS5 MATCH expression that finds messages holding every one of `words`: each a
    quoted string (an inner `"` doubled), so no word is read as FTS5's syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def plain_query(words):
    """The text given to PostgreSQL's plainto_tsquery for `words` (every one required)."""
    return " ".join(words)


def trigger_statements():
    """SQLite: the triggers that keep message_fts true to message."""
    return [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in FTS_TRIGGERS.items()]


def gin_index_statement():
    return f'CREATE INDEX IF NOT EXISTS "{PG_INDEX}" ON "message" USING GIN ("{PG_COLUMN}")'


@contextlib.contextmanager
def suspended():
    """Inside the block the index is not kept row by row (a bulk load goes faster: an
    FTS5 insert per row cost 14 times a plain one); at its end it is built once from the
    table and kept again (db.refresh_statistics then merges it: optimize)."""
    if db.is_sqlite():
        for name in FTS_TRIGGERS:
            database.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        database.execute_sql(f'DROP INDEX IF EXISTS "{PG_INDEX}"')
    try:
        yield
    finally:
        if db.is_sqlite():
            with database.atomic():
                rebuild(bulk=True)
                for statement in trigger_statements():
                    database.execute_sql(statement)
        else:
            database.execute_sql(gin_index_statement())


# FTS5's in-memory term table: its default; and during a bulk rebuild, larger, so that
# a million messages make one segment instead of ten, which 'optimize' need not merge
# (rebuild and optimize: 12.1 s at 1,000,000 messages, 8.1 s with 64 MB).
HASH_SIZE = 1024 * 1024
BULK_HASH_SIZE = 64 * 1024 * 1024


def rebuild(bulk=False):
    """SQLite: fill message_fts again from every message (after a bulk load: `bulk`, with a
    larger term table, BULK_HASH_SIZE, put back to HASH_SIZE after)."""
    if bulk:
        set_hash_size(BULK_HASH_SIZE)
    database.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    if bulk:
        set_hash_size(HASH_SIZE)


def set_hash_size(size):
    """SQLite: set FTS5's 'hashsize', the bytes of new terms it gathers before writing a segment."""
    database.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', {size})")


def optimize():
    """SQLite: merge message_fts's b-trees into one. 'rebuild' leaves the index of a
    million messages in several segments (9 at 1,000,000), and a query reads each one:
    a common word's page cost 1.16 times its small-set cost before, 1.02 after. The
    triggers' inserts start new segments that FTS5 merges as it goes; a bulk change
    (the seed, a migration) ends with this."""
    if db.is_sqlite() and database.table_exists(FTS_TABLE):
        database.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def integrity_check():
    """SQLite: raise (an IntegrityError or DatabaseError) unless message_fts holds exactly
    what message holds. FTS5's 'integrity-check' with rank 1 compares it with the content
    table."""
    database.execute_sql(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


# --- marking what matched ---------------------------------------------------------------
# safe HTML split into its tags, its character references and its text
HTML_PARTS = re.compile(r"(<[^>]*>|&#?\w+;)")


def mark(html, words):
    """`html` (safe HTML: a message already escaped and linked) with every word of
    `words` in its text wrapped in <mark>; tags and character references are left alone,
    so nothing a person typed becomes markup."""
    if not words:
        return html
    wanted = set(words)
    parts = HTML_PARTS.split(str(html))
    for i in range(0, len(parts), 2):  # the even parts are text
        if parts[i]:
            parts[i] = WORD_RE.sub(
                lambda m: f"<mark>{m.group()}</mark>"
                if unicodedata.normalize("NFC", m.group()).lower()[:TERM_MAX] in wanted
                else m.group(), parts[i])
    return Markup("".join(parts))
