"""Undo and appeals.

- audit_log.undoes_id: the entry an undo entry undid (moderation.undo). A unique index:
  an entry is undone at most once, and the original entry is never edited (the audit log
  is append-only); "is it undone?" is one probe of that index.
- audit_log (action, created): the dashboard counts this week's warnings from it.
- appeal (user, action, text, created, status, decided_by, decided_at, decision): one per
  audit entry (unique), the queue read from (status, created), a person's own from
  (user, created).
"""
from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def _models(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class AuditLog(Model):
        action = CharField(max_length=32)
        created = DateTimeField()

        class Meta:
            database = db
            table_name = "audit_log"

    class Appeal(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", index=False)
        action = ForeignKeyField(AuditLog, unique=True)
        text = TextField()
        created = DateTimeField()
        status = CharField(max_length=16, default="open")
        decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        decided_at = DateTimeField(null=True)
        decision = CharField(max_length=200, null=True)

        class Meta:
            database = db
            table_name = "appeal"
            indexes = ((("status", "created"), False), (("user", "created"), False))

    return AuditLog, Appeal


def up(migrator, db):
    AuditLog, Appeal = _models(db)
    # plain SQL: peewee's SQLite migrator may rebuild the table (foreign keys), which
    # loses what the table holds beside its columns
    db.execute_sql('ALTER TABLE "audit_log" ADD COLUMN "undoes_id" INTEGER '
                   'REFERENCES "audit_log" ("id")')
    db.execute_sql('CREATE UNIQUE INDEX "audit_log_undoes_id" ON "audit_log" ("undoes_id")')
    db.execute(AuditLog.index(AuditLog.action, AuditLog.created, name="audit_log_action_created"))
    db.create_tables([Appeal], safe=True)


def down(migrator, db):
    AuditLog, Appeal = _models(db)
    db.drop_tables([Appeal], safe=True)
    migrator.migrate(migrator.drop_index("audit_log", "audit_log_action_created"),
                     migrator.drop_index("audit_log", "audit_log_undoes_id"),
                     migrator.drop_column("audit_log", "undoes_id"))
