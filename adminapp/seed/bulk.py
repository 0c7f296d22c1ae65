"""Loading rows fast: insert_many in chunks, many chunks per transaction, a progress bar per phase;
and emptying the tables for --reset.
"""
import contextlib
import itertools
import sqlite3
import sys

from peewee import sort_models
from tqdm import tqdm

from adminapp import db
from adminapp.db import database
from adminapp.models import MODELS

MAX_CHUNK_ROWS = 5000
CHUNKS_PER_TRANSACTION = 20
# SQLite during a seed: no fsync, the rollback journal in memory instead of every page
# written twice (WAL, then the checkpoint), the file locked once rather than per
# transaction. db.SQLITE_PRAGMAS come back after. (A 256 MB page cache saved little and
# doubled the peak memory.)
LOAD_PRAGMAS = {"synchronous": "off", "locking_mode": "exclusive", "journal_mode": "memory"}


def batched(items, size):
    """Yield lists of up to `size` consecutive items of the iterable `items`."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def chunk_size(columns):
    """Return how many rows of `columns` values one INSERT may carry (bound-variable limit)."""
    limit = 32766
    if db.is_sqlite() and sqlite3.sqlite_version_info < (3, 32, 0):
        limit = 999
    return max(1, min(MAX_CHUNK_ROWS, limit // columns))


def insert_rows(model, fields, rows, bar):
    """Insert the tuples `rows`, values as stored (ids, text, datetimes), with multi-row
    INSERTs in chunks, many chunks per transaction; returns the count.

    The values go as they are, flattened: passing each through its field's db_value was
    a tenth of a load. (One prepared single-row INSERT run by sqlite3's executemany was
    slower: 10 microseconds a row against 6.6.)
    """
    size, total = chunk_size(len(fields)), 0
    sql = insert_sql(model, fields, size)
    with database.atomic() as transaction:
        for n, chunk in enumerate(batched(rows, size), 1):
            if len(chunk) < size:  # the last, shorter chunk
                sql = insert_sql(model, fields, len(chunk))
            database.execute_sql(sql, list(itertools.chain.from_iterable(chunk)))
            total += len(chunk)
            bar.update(len(chunk))
            if n % CHUNKS_PER_TRANSACTION == 0:
                transaction.commit()  # and begin the next one: keeps the SQLite WAL small
    return total


def insert_sql(model, fields, count):
    """Return the INSERT of `count` rows of `fields` into `model`'s table, with placeholders.

    Written out rather than built by insert_many: peewee took 0.6 s to build the SQL of
    one 5,000-row chunk, a fixed cost twice per table.
    """
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    row = "(" + ", ".join([database.obj.param] * len(fields)) + ")"
    return f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ' + ", ".join([row] * count)


def reset_tables():
    """Delete every row of the app's tables, children before parents (schema_migration is kept)."""
    with foreign_keys_unchecked(), database.atomic():
        for model in reversed(sort_models(MODELS)):
            # PostgreSQL: TRUNCATE refuses a referenced table without CASCADE, even an empty one;
            # RESTART IDENTITY gives a reseeded site the same ids. SQLite: a plain DELETE.
            model.truncate_table(restart_identity=True, cascade=True)


@contextlib.contextmanager
def foreign_keys_unchecked():
    """Turn SQLite's foreign-key checks off inside the block; elsewhere, do nothing.

    Children go first, so nothing is left dangling, and without the checks SQLite
    drops a table's pages at once instead of checking and deleting row by row.
    """
    if not db.is_sqlite():
        yield
        return
    database.pragma("foreign_keys", 0)
    try:
        yield
    finally:
        database.pragma("foreign_keys", 1)


@contextlib.contextmanager
def tuned_for_load():
    """SQLite: inside the block, LOAD_PRAGMAS; at its end the site's own (db.SQLITE_PRAGMAS)
    are back, WAL included. Elsewhere, nothing. Call it outside any transaction.

    Nothing inside is crash-safe: a seed cut short (power, kill -9) may leave a corrupt
    file, to be seeded again with --reset or deleted, as a half-seeded one would be anyway.
    """
    if not db.is_sqlite():
        yield
        return
    for name, value in LOAD_PRAGMAS.items():
        database.execute_sql(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        database.execute_sql("PRAGMA locking_mode = normal")
        database.execute_sql("SELECT 1 FROM sqlite_master LIMIT 1")  # releases the exclusive lock
        for name, value in db.SQLITE_PRAGMAS.items():
            database.execute_sql(f"PRAGMA {name} = {value}")


def phase(desc, total, progress, position=0):
    """Return a tqdm bar for one loading phase (a silent one when `progress` is false)."""
    return tqdm(total=total, desc=f"{desc:<8}", unit=" rows", unit_scale=True,
                disable=not progress, file=sys.stderr, position=position)


def droppable_indexes(models):
    """Return (name, CREATE statement) of every index of the tables of `models` that can be
    dropped (all but those behind a primary key or a UNIQUE constraint), read from the
    database: the indexes as the migrations made them, names and all."""
    tables = [model._meta.table_name for model in models]
    marks = ", ".join([database.obj.param] * len(tables))
    if db.is_sqlite():
        sql = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
               f"AND tbl_name IN ({marks}) ORDER BY name")
    else:
        sql = ("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
               "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
               f"WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN ({marks}) "
               "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
               "ORDER BY i.relname")
    return database.execute_sql(sql, tables).fetchall()


@contextlib.contextmanager
def without_indexes(models, progress):
    """Drop the indexes of `models`' tables (droppable_indexes) inside the block and build
    them again, as they were, at its end.

    Rows inserted in time order land all over an index keyed by author: at ten
    million messages, keeping (user_id, pub_date, id) up to date made the load three
    times slower than building it once, from sorted runs, after the last row. Read from
    the database rather than from the models, whose names for some migrations' indexes
    differ (messagetag_message_id): those were kept up to date, then built a second time.
    """
    indexes = droppable_indexes(models)
    for name, _ in indexes:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        with phase("indexes", len(indexes), progress) as bar:
            for _, create in indexes:
                database.execute_sql(create)
                bar.update()
