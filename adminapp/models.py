"""The data model: User, Relationship, Message, Report, AuditLog.

Query methods return peewee queries, so callers can paginate, count or join
them. The database holds the invariants (unique indexes); writes are tried
inside `atomic()` and an IntegrityError becomes a ValidationError.
"""
import datetime
import hashlib
import re

from flask_login import UserMixin
from peewee import (JOIN, SQL, CharField, DateTimeField, ForeignKeyField, IntegrityError,
                    JSONField, TextField, fn)

from .db import BaseModel, database
from .passwords import hash_password, is_legacy, verify_password
from .vocabulary import Action, Category, Limits, Role, Target

USERNAME_RE = re.compile(rf"^[A-Za-z0-9_]{{{Limits.USERNAME_MIN},{Limits.USERNAME_MAX}}}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ValidationError(ValueError):
    """Bad input from a person: the message says what to change; `field` names the
    form field it is about, when there is one."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def utcnow():
    """The current UTC time as a naive datetime (how every timestamp is stored)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def clean_username(name):
    """Return `name` stripped; raise ValidationError unless 3-30 of [A-Za-z0-9_]."""
    name = (name or "").strip()
    if not USERNAME_RE.match(name):
        raise ValidationError(f"Usernames are {Limits.USERNAME_MIN} to {Limits.USERNAME_MAX} "
                              "letters, digits or underscores.", field="username")
    return name


def clean_email(email):
    """Return `email` stripped; raise ValidationError unless it looks like an address."""
    email = (email or "").strip()
    if len(email) > Limits.EMAIL_MAX or not EMAIL_RE.match(email):
        raise ValidationError("Enter a valid email address, like name@example.com.",
                              field="email")
    return email


def clean_password(password):
    """Return `password`; raise ValidationError when it is shorter than Limits.PASSWORD_MIN."""
    if len(password or "") < Limits.PASSWORD_MIN:
        raise ValidationError(f"Passwords have at least {Limits.PASSWORD_MIN} characters.",
                              field="new_password")
    return password


def clean_content(content):
    """Return the message text trimmed; raise ValidationError unless 1-280 characters."""
    content = (content or "").strip()
    if not content:
        raise ValidationError("Write something first: a message cannot be empty.")
    if len(content) > Limits.MESSAGE_MAX:
        raise ValidationError(f"Messages are at most {Limits.MESSAGE_MAX} characters "
                              f"(this one has {len(content)}).")
    return content


class User(UserMixin, BaseModel):
    username = CharField(max_length=Limits.USERNAME_MAX, unique=True)
    email = CharField(max_length=Limits.EMAIL_MAX)
    password_hash = CharField(column_name="password")
    join_date = DateTimeField(default=utcnow)
    role = CharField(max_length=16, default=Role.USER.value, choices=Role.choices())
    suspended_at = DateTimeField(null=True)
    bio = TextField(default="")

    class Meta:
        table_name = "user"

    def __str__(self):
        return self.username

    # --- identity and roles -------------------------------------------------
    @property
    def is_active(self):
        """Flask-Login refuses to log in inactive users: suspended ones."""
        return self.suspended_at is None

    @property
    def is_suspended(self):
        return self.suspended_at is not None

    @property
    def rank(self):
        return Role.rank_of(self.role)

    @property
    def is_moderator(self):
        """True for moderators and admins."""
        return self.rank >= Role.MODERATOR.rank

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def gravatar_hash(self):
        return hashlib.md5(self.email.strip().lower().encode("utf-8")).hexdigest()

    # --- passwords ----------------------------------------------------------
    def set_password(self, password):
        """Store a scrypt hash of `password`; ValidationError when it is too short."""
        self.password_hash = hash_password(clean_password(password))

    def check_password(self, password):
        """True when `password` is right; upgrades a legacy md5 hash to scrypt on success."""
        if not verify_password(self.password_hash, password):
            return False
        if is_legacy(self.password_hash):
            self.password_hash = hash_password(password)
            User.update(password_hash=self.password_hash).where(User.id == self.id).execute()
        return True

    # --- lookups ------------------------------------------------------------
    @classmethod
    def named(cls, name):
        """WHERE clause: the username is `name`, ignoring case (the lower(username) index)."""
        return fn.LOWER(cls.username) == (name or "").strip().lower()

    @classmethod
    def lookup(cls, name, query=None):
        """The user called `name` (any case) from `query` (default: every user), or None."""
        query = cls.select() if query is None else query
        return query.where(cls.named(name)).first()

    @classmethod
    def active(cls):
        """Query of users who are not suspended."""
        return cls.select().where(cls.suspended_at.is_null())

    @classmethod
    def create_account(cls, username, email, password, role=Role.USER):
        """Create and return a user; ValidationError on bad input or a taken username."""
        if Role.get(role) is None:
            raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(Role.values())}.")
        user = cls(username=clean_username(username), email=clean_email(email), role=Role(role).value)
        user.set_password(password)
        try:
            with database.atomic():
                user.save()
        except IntegrityError:
            raise ValidationError(f"The username {user.username!r} is already taken.",
                                  field="username")
        return user

    @classmethod
    def with_stats(cls, viewer=None):
        """Query of users annotated, in the one query (correlated subqueries on indexes), with
        followers_count, following_count, written_count (every message), hidden_count and
        followed_by_viewer; `messages_count` (the visible ones) is their difference."""
        viewer_id = viewer.id if viewer is not None and viewer.is_authenticated else 0
        count = fn.COUNT(SQL("*"))
        followers = Relationship.select(count).where(Relationship.to_user == cls.id)
        following = Relationship.select(count).where(Relationship.from_user == cls.id)
        # all of them from the (user, pub_date, id) index, minus the few hidden ones from
        # a partial index: counting "hidden_at IS NULL" read every row (migration 0004)
        written = Message.select(count).where(Message.user == cls.id)
        hidden = Message.select(count).where((Message.user == cls.id)
                                             & Message.hidden_at.is_null(False))
        followed = Relationship.select(count).where((Relationship.from_user == viewer_id)
                                                    & (Relationship.to_user == cls.id))
        return cls.select(cls, followers.alias("followers_count"),
                          following.alias("following_count"), written.alias("written_count"),
                          hidden.alias("hidden_count"), followed.alias("followed_by_viewer"))

    @property
    def messages_count(self):
        """Visible messages, on a user read through with_stats()."""
        return self.written_count - self.hidden_count

    # --- settings -----------------------------------------------------------
    def update_settings(self, email, bio, new_password=None, current_password=None):
        """Save a new email and bio, and a new password when the current one is given right.

        Raises ValidationError (with the field it is about) and saves nothing on a bad
        email, a too long bio, a too short password or a wrong current password.
        """
        email, bio = clean_email(email), (bio or "").strip()
        if len(bio) > Limits.BIO_MAX:
            raise ValidationError(f"Bios are at most {Limits.BIO_MAX} characters.", field="bio")
        if new_password and not self.check_password(current_password):
            raise ValidationError("Your current password is not right.", field="current_password")
        with database.atomic():
            self.email, self.bio = email, bio
            if new_password:
                self.set_password(new_password)
            self.save()

    # --- follows ------------------------------------------------------------
    def following(self):
        """Query of the users this user follows, by username."""
        return (User.select().join(Relationship, on=Relationship.to_user)
                .where(Relationship.from_user == self).order_by(User.username))

    def followers(self):
        """Query of the users who follow this user, by username."""
        return (User.select().join(Relationship, on=Relationship.from_user)
                .where(Relationship.to_user == self).order_by(User.username))

    def follow(self, user):
        """Follow `user` (idempotent). ValidationError for oneself or when either is suspended."""
        if user.id == self.id:
            raise ValidationError("You cannot follow yourself.")
        if self.is_suspended:
            raise ValidationError("Your account is suspended.")
        if user.is_suspended:
            raise ValidationError("This account is suspended: it cannot be followed.")
        # ON CONFLICT DO NOTHING: two clicks at once end with one row, never an error.
        (Relationship.insert(from_user=self, to_user=user, created=utcnow())
         .on_conflict_ignore().execute())

    def unfollow(self, user):
        """Stop following `user` (idempotent); returns the number of rows removed."""
        return (Relationship.delete().where((Relationship.from_user == self)
                                            & (Relationship.to_user == user)).execute())

    # --- messages -----------------------------------------------------------
    def post(self, content):
        """Create and return a message; ValidationError on bad text or while suspended."""
        if self.is_suspended:
            raise ValidationError("Your account is suspended: you cannot post.")
        return Message.create(user=self, content=clean_content(content), pub_date=utcnow())

    def timeline(self):
        """Visible messages of the people this user follows, and their own, newest first."""
        followed = Relationship.select(Relationship.to_user).where(Relationship.from_user == self.id)
        # UNION ALL rather than OR: each author's index range is scanned on its own
        # (docs/architecture.md, "Performance")
        authors = followed.union_all(User.select(User.id).where(User.id == self.id))
        return Message.visible().where(Message.user.in_(authors))

    def messages_visible(self):
        """This user's visible messages, newest first."""
        return Message.visible().where(Message.user == self.id)


class Relationship(BaseModel):
    from_user = ForeignKeyField(User, backref="relationships", index=False)
    to_user = ForeignKeyField(User, backref="related_to")
    created = DateTimeField(default=utcnow, null=True)

    class Meta:
        table_name = "relationship"
        indexes = ((("from_user", "to_user"), True), (("to_user",), False),
                   # the dashboard's new follows per user this week (migration 0002)
                   (("to_user", "created"), False))


class Message(BaseModel):
    user = ForeignKeyField(User, backref="messages", index=False)
    content = TextField()
    pub_date = DateTimeField(default=utcnow)
    hidden_at = DateTimeField(null=True)
    hidden_by = ForeignKeyField(User, null=True, backref="hidden_messages")
    hidden_reason = CharField(max_length=Limits.REASON_MAX, null=True)

    class Meta:
        table_name = "message"
        indexes = ((("user", "pub_date", "id"), False), (("pub_date", "id"), False))

    def __str__(self):
        return self.content[:40]

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @classmethod
    def public(cls):
        """WHERE clause: the message is on public pages (not hidden, its author not suspended).

        Suspended authors are excluded by id (a partial index holds them) rather
        than by a filter on the joined user, which made SQLite scan every user for
        each page (migration 0003).
        """
        suspended = User.select(User.id).where(User.suspended_at.is_null(False))
        return cls.hidden_at.is_null() & cls.user.not_in(suspended)

    @classmethod
    def visible(cls):
        """Query of the public messages with their author joined, newest first.

        Only the columns a timeline shows are read.
        """
        return (cls.select(cls.id, cls.content, cls.pub_date, cls.hidden_at, User.id,
                           User.username, User.email, User.role, User.suspended_at)
                .join(User, on=(cls.user == User.id))
                .where(cls.public())
                .order_by(cls.pub_date.desc(), cls.id.desc()))

    @classmethod
    def visible_to(cls, viewer):
        """Query of the messages `viewer` may open, whole, with their author joined:
        every message for staff, the public ones for everybody else."""
        query = cls.select(cls, User).join(User, on=(cls.user == User.id))
        if getattr(viewer, "is_authenticated", False) and viewer.is_moderator:
            return query
        return query.where(cls.public())


class Report(BaseModel):
    reporter = ForeignKeyField(User, backref="reports", index=False)
    message = ForeignKeyField(Message, backref="reports")
    category = CharField(max_length=16, choices=Category.choices())
    note = TextField(default="")
    created = DateTimeField(default=utcnow)
    resolved_at = DateTimeField(null=True)
    resolved_by = ForeignKeyField(User, null=True, backref="resolved_reports")
    resolution = CharField(max_length=16, null=True)

    class Meta:
        table_name = "report"
        indexes = ((("reporter", "message"), True), (("resolved_at", "created"), False))

    @classmethod
    def file(cls, reporter, message, category, note=""):
        """Record `reporter`'s report on `message`; ValidationError on bad input or a repeat."""
        if Category.get(category) is None:
            raise ValidationError(f"Choose a category: {', '.join(Category.values())}.",
                                  field="category")
        if reporter.is_suspended:
            raise ValidationError("Your account is suspended.")
        try:
            with database.atomic():
                return cls.create(reporter=reporter, message=message, category=category,
                                  note=(note or "").strip()[:Limits.NOTE_MAX])
        except IntegrityError:
            raise ValidationError("You have already reported this message; "
                                  "moderators will look at it.", field="category")


class AuditLog(BaseModel):
    actor = ForeignKeyField(User, null=True, backref="audit_entries")
    action = CharField(max_length=32)
    target_model = CharField(max_length=32)
    target_id = CharField(max_length=32)
    details = JSONField(default=dict)
    created = DateTimeField(default=utcnow)

    class Meta:
        table_name = "audit_log"
        indexes = ((("created",), False), (("target_model", "target_id"), False),
                   (("actor", "created"), False))

    @classmethod
    def record(cls, actor, action, target, before=None, after=None, reason=None, **extra):
        """Write and return one entry: `actor` did `action` to `target` (a model instance).

        Called only by adminapp.moderation, inside the verb's transaction.
        """
        details = {"before": before, "after": after, "reason": reason, **extra}
        return cls.create(actor=actor, action=Action(action).value,
                          target_model=Target(type(target).__name__.lower()).value,
                          target_id=str(target.id), details=details, created=utcnow())

    @classmethod
    def history_of(cls, target, limit=20):
        """Query of the newest `limit` entries about `target` (a model instance), newest
        first, with the actor joined (None for a deleted one) as `entry.actor`."""
        Actor = User.alias("actor")
        return (cls.select(cls, Actor)
                .join(Actor, JOIN.LEFT_OUTER, on=(cls.actor == Actor.id), attr="actor")
                .where((cls.target_model == type(target).__name__.lower())
                       & (cls.target_id == str(target.id)))
                .order_by(cls.created.desc(), cls.id.desc()).limit(limit))

    @classmethod
    def done_by(cls, actor, limit=20):
        """Query of the newest `limit` entries `actor` wrote, newest first."""
        return (cls.select().where(cls.actor == actor.id)
                .order_by(cls.created.desc(), cls.id.desc()).limit(limit))

    def save(self, *args, **kwargs):
        """Insert only: the audit log is append-only (PermissionError on an update)."""
        if self.id is not None and not kwargs.get("force_insert"):
            raise PermissionError("The audit log cannot be edited.")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError("The audit log cannot be edited.")


MODELS = [User, Relationship, Message, Report, AuditLog]

# Usernames are unique ignoring case: "Alice" and "alice" are one person.
User.add_index(User.index(fn.LOWER(User.username), unique=True, name="user_username_lower"))
User.add_index(User.index(User.join_date, name="user_join_date"))
# Only hidden rows, by author: the profile's message count (migration 0004).
Message.add_index(Message.index(Message.user, where=Message.hidden_at.is_null(False),
                                name="message_hidden_by_author"))
# Only suspended rows: public pages exclude their messages through it (migration 0003).
User.add_index(User.index(User.suspended_at, where=User.suspended_at.is_null(False),
                          name="user_suspended_at"))
# Only hidden rows: the dashboard counts them without reading the table (migration 0002).
Message.add_index(Message.index(Message.hidden_at, where=Message.hidden_at.is_null(False),
                                name="message_hidden_at"))
