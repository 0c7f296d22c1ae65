"""Blocks and mutes: who does not want to see whom.

- block (blocker, blocked, created): neither sees the other's messages; the blocked one
  cannot follow, reply to, mention (no notification) or like the blocker. Looked up both
  ways: by the primary key (blocker, blocked) and by an index on blocked.
- mute (muter, muted, created): the muted one's messages leave the muter's timelines.
"""
from peewee import CompositeKey, DateTimeField, ForeignKeyField, Model


def _models(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Block(Model):
        blocker = ForeignKeyField(User, on_delete="CASCADE", index=False)  # the key's first
        blocked = ForeignKeyField(User, on_delete="CASCADE")
        created = DateTimeField()

        class Meta:
            database = db
            table_name = "block"
            primary_key = CompositeKey("blocker", "blocked")

    class Mute(Model):
        muter = ForeignKeyField(User, on_delete="CASCADE", index=False)  # the key's first
        muted = ForeignKeyField(User, on_delete="CASCADE")
        created = DateTimeField()

        class Meta:
            database = db
            table_name = "mute"
            primary_key = CompositeKey("muter", "muted")

    return Block, Mute


def up(migrator, db):
    db.create_tables(list(_models(db)), safe=True)


def down(migrator, db):
    db.drop_tables(list(_models(db)), safe=True)
