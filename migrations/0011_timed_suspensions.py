"""Timed suspensions: user.suspended_until, when a suspension ends by itself (NULL: until
restored). A partial index holds only the suspensions with an end, so that finding the
ones due is one short index read (moderation.lift_due_suspensions)."""
from peewee import DateTimeField, Model


def _index(db):
    class User(Model):
        suspended_until = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "user"

    return User.index(User.suspended_until, where=User.suspended_until.is_null(False),
                      name="user_suspended_until")


def up(migrator, db):
    # a plain ALTER: peewee's SQLite migrator may rebuild the table, which its triggers
    # do not survive
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "suspended_until" TIMESTAMP')
    db.execute(_index(db))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("user", "user_suspended_until"),
                     migrator.drop_column("user", "suspended_until"))
