"""Indexes for the back-office dashboard (adminapp/admin/dashboard.py).

Measured at 1,000,000 messages / 10,000 users / 500,000 follows, SQLite, median
of the query alone, without -> with the index:
- message(hidden_at) WHERE hidden_at IS NOT NULL: the "hidden messages" count
  read the whole message table; the KPI query went 114 -> 18 ms (PostgreSQL
  96 -> 32 ms). Partial: it holds only hidden rows, so ordinary posts never
  touch it.
- relationship(to_user_id, created): "most followed this week" looked up
  `created` in the table for each of the 500,000 follows: 451 -> 16 ms.
  (PostgreSQL, which has no skip scan, keeps a parallel sequential scan,
  about 50 ms, with or without it.)

Plain peewee on frozen models, for SQLite and PostgreSQL alike (both support
partial indexes and CREATE INDEX IF NOT EXISTS).
"""
from peewee import DateTimeField, IntegerField, Model, SqliteDatabase


def _indexes(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Relationship(Base):
        to_user_id = IntegerField()
        created = DateTimeField(null=True)

        class Meta:
            table_name = "relationship"

    class Message(Base):
        hidden_at = DateTimeField(null=True)

        class Meta:
            table_name = "message"

    return [
        Message.index(Message.hidden_at, where=Message.hidden_at.is_null(False),
                      name="message_hidden_at"),
        Relationship.index(Relationship.to_user_id, Relationship.created,
                           name="relationship_to_user_id_created"),
    ]


def _refresh_statistics(db, tables):
    """SQLite: give the new indexes planner statistics when the others have some.

    Only where ANALYZE has run before (seed_data.py runs it): an index without
    statistics next to indexes with them can lose the planner's choice.
    PostgreSQL keeps per-column statistics itself (autovacuum).
    """
    if db.table_exists("sqlite_stat1"):
        for table in tables:
            db.execute_sql(f'ANALYZE "{table}"')


def up(migrator, db):
    for index in _indexes(db):  # ModelIndex is safe by default: CREATE INDEX IF NOT EXISTS
        db.execute(index)
    if isinstance(db, SqliteDatabase):
        _refresh_statistics(db, ("message", "relationship"))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("message", "message_hidden_at"),
                     migrator.drop_index("relationship", "relationship_to_user_id_created"))
