"""API tokens: one row per bearer token of the JSON API (/api/v1/). The owner holds the
secret, shown once; the table keeps its SHA-256, as login_session does, with the token's
name, scopes (read, write, moderate: space-separated), when it was last used and when it
was revoked. (0012 and 0013 belong to other branches.)"""
import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model


def _model(db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class ApiToken(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", index=False)  # (user, revoked_at)
        name = CharField(max_length=100)
        scopes = CharField(max_length=64)
        token_hash = CharField(max_length=64, unique=True)
        created = DateTimeField(default=datetime.datetime.utcnow)
        last_used = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "api_token"
            indexes = ((("user", "revoked_at"), False),)

    return ApiToken


def up(migrator, db):
    db.create_tables([_model(db)], safe=True)


def down(migrator, db):
    db.drop_tables([_model(db)], safe=True)
