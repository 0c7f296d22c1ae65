"""The tables of the data model (docs/architecture.md, "Data"), with their indexes.

On an empty database this creates every table. On a database made by the
peewee twitter example (tables user, relationship, message; no history) it
upgrades in place: missing tables are created, missing columns added with
safe defaults, indexes created. Models here are frozen copies, on purpose
independent of adminapp.models.
"""
import datetime

from peewee import (CharField, DateTimeField, ForeignKeyField, JSONField, Model, TextField,
                    fn)


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        username = CharField(max_length=30, unique=True)
        email = CharField(max_length=254)
        password = CharField()
        join_date = DateTimeField(default=datetime.datetime.utcnow)
        role = CharField(max_length=16, default="user")
        suspended_at = DateTimeField(null=True)
        bio = TextField(default="")

        class Meta:
            table_name = "user"

    class Relationship(Base):
        from_user = ForeignKeyField(User, index=False)  # covered by (from_user, to_user)
        to_user = ForeignKeyField(User)
        created = DateTimeField(null=True)

        class Meta:
            table_name = "relationship"
            indexes = ((("from_user", "to_user"), True), (("to_user",), False))

    class Message(Base):
        user = ForeignKeyField(User, index=False)  # covered by (user, pub_date, id)
        content = TextField()
        pub_date = DateTimeField(default=datetime.datetime.utcnow)
        hidden_at = DateTimeField(null=True)
        hidden_by = ForeignKeyField(User, null=True)
        hidden_reason = CharField(max_length=200, null=True)

        class Meta:
            table_name = "message"
            indexes = ((("user", "pub_date", "id"), False), (("pub_date", "id"), False))

    class Report(Base):
        reporter = ForeignKeyField(User, index=False)  # covered by (reporter, message)
        message = ForeignKeyField(Message)
        category = CharField(max_length=16)
        note = TextField(default="")
        created = DateTimeField(default=datetime.datetime.utcnow)
        resolved_at = DateTimeField(null=True)
        resolved_by = ForeignKeyField(User, null=True)
        resolution = CharField(max_length=16, null=True)

        class Meta:
            table_name = "report"
            indexes = ((("reporter", "message"), True), (("resolved_at", "created"), False))

    class AuditLog(Base):
        actor = ForeignKeyField(User, null=True)
        action = CharField(max_length=32)
        target_model = CharField(max_length=32)
        target_id = CharField(max_length=32)
        details = JSONField(default=dict)
        created = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "audit_log"
            indexes = ((("created",), False), (("target_model", "target_id"), False),
                       (("actor", "created"), False))

    User.add_index(User.index(fn.LOWER(User.username), unique=True, name="user_username_lower"))
    User.add_index(User.index(User.join_date, name="user_join_date"))
    return [User, Relationship, Message, Report, AuditLog]


def _add_missing_columns(migrator, db, model):
    """Add the columns of `model` that its existing table lacks (peewee example upgrade)."""
    table = model._meta.table_name
    present = {c.name for c in db.get_columns(table)}
    for field in model._meta.sorted_fields:
        if field.column_name not in present:
            if not field.null and field.default is None:
                field.null = True  # an old row has no value: NULL rather than a failed upgrade
            migrator.migrate(migrator.add_column(table, field.column_name, field))


def up(migrator, db):
    for model in _models(db):
        if db.table_exists(model._meta.table_name):
            _add_missing_columns(migrator, db, model)
            model._schema.create_indexes(safe=True)
        else:
            model.create_table(safe=True)


def down(migrator, db):
    for table in ("audit_log", "report", "message", "relationship", "user"):
        migrator.migrate(migrator.drop_table(table))
