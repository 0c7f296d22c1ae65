"""Login sessions, and an index on lower(email) for password reset.

Login sessions: one row per login, so that a logout, a password change, a
suspension, a role change or "log out everywhere" ends the session and its
remember-me cookie wherever they went (the cookie carries the row's token; the
table keeps its SHA-256).
"""
import datetime

from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    fn)


def _model(db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class LoginSession(Model):
        user = ForeignKeyField(User, index=False)  # covered by (user, ended_at)
        token_hash = CharField(max_length=64, unique=True)
        created = DateTimeField(default=datetime.datetime.utcnow)
        remember = BooleanField(default=False)
        user_agent = CharField(max_length=200, default="")
        ended_at = DateTimeField(null=True)
        end_reason = CharField(max_length=16, null=True)

        class Meta:
            database = db
            table_name = "login_session"
            indexes = ((("user", "ended_at"), False),)

    return LoginSession


def _email_index(db):
    class User(Model):
        email = CharField()

        class Meta:
            database = db
            table_name = "user"

    return User.index(fn.LOWER(User.email), name="user_email_lower")


def up(migrator, db):
    db.create_tables([_model(db)], safe=True)
    db.execute(_email_index(db))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("user", "user_email_lower"))
    db.drop_tables([_model(db)], safe=True)
