"""The data model: User, Relationship, Message (and its replies and likes), Report, AuditLog.

Query methods return peewee queries, so callers can paginate, count or join
them. The database holds the invariants (unique indexes); writes are tried
inside `atomic()` and an IntegrityError becomes a ValidationError.
"""
import datetime
import hashlib
import re
import secrets
import unicodedata

from flask_login import UserMixin
from peewee import (JOIN, SQL, BooleanField, CharField, Column, CompositeKey, DateField,
                    DateTimeField, Expression, ForeignKeyField, IntegerField, IntegrityError,
                    JSONField, NodeList, TextField, fn)
from playhouse.sqlite_ext import FTS5Model, SearchField

from . import search
from .compiled import Shape
from .db import BaseModel, database, is_sqlite
from .passwords import hash_password, is_legacy, verify_nobody, verify_password
from .formatting import MENTION_RE, TAG_MAX, normal_tag, parse_id, tags_in
from .vocabulary import (APPEALABLE, Action, AppealStatus, Category, Limits, Notice, Role, Scope,
                         SessionEnd, Target)

USERNAME_RE = re.compile(rf"^[A-Za-z0-9_]{{{Limits.USERNAME_MIN},{Limits.USERNAME_MAX}}}$")
# what can start a username (a search for people)
USERNAME_PREFIX_RE = re.compile(rf"[A-Za-z0-9_]{{1,{Limits.USERNAME_MAX}}}")
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


# Text direction overrides and isolates: they make a message read differently from
# what it holds ("Trojan Source"); nobody needs them in a 280-character post.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that draw nothing but are not in the format (Cf) category.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def text_problem(text):
    """Why `text` cannot be stored as people typed it, or None: control characters (NUL
    included; newlines and tabs are fine) and text-direction overrides."""
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text):
        return "cannot contain control characters"
    if any(c in BIDI_CONTROLS for c in text):
        return "cannot contain text-direction override characters"
    return None


def is_blank(text):
    """True when `text` shows nothing: only spaces and invisible characters."""
    return all(c.isspace() or c in BLANKS or unicodedata.category(c) in ("Cf", "Zs", "Mn")
               for c in text)


def clean_text(text, limit, what, field=None):
    """Return `text` trimmed; ValidationError when it is longer than `limit` characters or
    holds characters no page should (see text_problem). `what` names it ("Bios")."""
    text = (text or "").strip()
    problem = text_problem(text)
    if problem:
        raise ValidationError(f"{what} {problem}.", field=field)
    if len(text) > limit:
        raise ValidationError(f"{what} are at most {limit} characters "
                              f"(this one has {len(text)}).", field=field)
    return text


def clean_reason(reason):
    """A moderator's reason: trimmed, cut at Limits.REASON_MAX, control characters
    dropped (it is shown to moderators and, hidden messages, to their author)."""
    reason = "".join(c for c in (reason or "") if c.isprintable() or c == " ").strip()
    reason = "".join(c for c in reason if c not in BIDI_CONTROLS)
    return reason[:Limits.REASON_MAX] or None


def clean_username(name):
    """Return `name` stripped; raise ValidationError unless 3-30 of [A-Za-z0-9_]."""
    name = (name or "").strip()
    if not USERNAME_RE.fullmatch(name):
        raise ValidationError(f"Usernames are {Limits.USERNAME_MIN} to {Limits.USERNAME_MAX} "
                              "letters, digits or underscores.", field="username")
    return name


def clean_email(email):
    """Return `email` stripped; raise ValidationError unless it looks like an address."""
    email = (email or "").strip()
    if len(email) > Limits.EMAIL_MAX or not EMAIL_RE.fullmatch(email) or text_problem(email):
        raise ValidationError("Enter a valid email address, like name@example.com.",
                              field="email")
    return email


def clean_password(password):
    """Return `password`; ValidationError when it is shorter than Limits.PASSWORD_MIN or
    only spaces."""
    if len(password or "") < Limits.PASSWORD_MIN:
        raise ValidationError(f"Passwords have at least {Limits.PASSWORD_MIN} characters.",
                              field="new_password")
    if password.isspace():
        raise ValidationError("A password cannot be only spaces.", field="new_password")
    return password


def clean_content(content):
    """Return the message text trimmed; ValidationError unless 1-280 characters that show
    something, without control or text-direction characters."""
    content = clean_text(content, Limits.MESSAGE_MAX, "Messages", field="content")
    if is_blank(content):
        raise ValidationError("Write something first: a message cannot be empty or "
                              "made only of invisible characters.", field="content")
    return content


def prefix_bounds(prefix):
    """(low, high): the range of lowercased text that starts with `prefix`, in binary
    order (from the prefix to the prefix followed by the last code point)."""
    prefix = (prefix or "").strip().lower()
    return prefix, prefix + "\U0010ffff"


class Person:
    """What a user's role, standing and avatar mean, for a User and for the light author
    records of feeds.py alike (id, username, email, role, suspended_at)."""
    __slots__ = ()

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


class User(UserMixin, Person, BaseModel):
    username = CharField(max_length=Limits.USERNAME_MAX, unique=True)
    email = CharField(max_length=Limits.EMAIL_MAX)
    password_hash = CharField(column_name="password")
    join_date = DateTimeField(default=utcnow)
    role = CharField(max_length=16, default=Role.USER.value, choices=Role.choices())
    suspended_at = DateTimeField(null=True)
    # when a timed suspension ends by itself (None: until restored); migration 0011
    suspended_until = DateTimeField(null=True)
    bio = TextField(default="")

    # the token of the login session this object was loaded for (see LoginSession)
    login_token = None

    class Meta:
        table_name = "user"

    def __str__(self):
        return self.username

    def get_id(self):
        """Flask-Login's id for the session and the remember-me cookie: the login
        session's token, so that ending the session ends the cookie too."""
        return self.login_token

    # --- identity and roles -------------------------------------------------
    @property
    def is_active(self):
        """Flask-Login refuses to log in inactive users: suspended ones."""
        return self.suspended_at is None

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

    @classmethod
    def authenticate(cls, name, password):
        """The user called `name` when `password` is theirs, else None. An unknown name
        costs the same hash as a known one, so timing tells no names."""
        user = cls.lookup(name)
        if user is None:
            return verify_nobody(password or "") or None
        return user if user.check_password(password or "") else None

    @property
    def password_fingerprint(self):
        """A short digest of the stored hash: it changes whenever the password does."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]

    def reset_password(self, password):
        """Set a new password (from a reset link) and end every login session."""
        with database.atomic():
            self.set_password(password)
            User.update(password_hash=self.password_hash).where(User.id == self.id).execute()
            self.end_sessions(SessionEnd.RESET)

    # --- lookups ------------------------------------------------------------
    @classmethod
    def named(cls, name):
        """WHERE clause: the username is `name`, ignoring case (the lower(username) index)."""
        return fn.LOWER(cls.username) == (name or "").strip().lower()

    @classmethod
    def starts_with(cls, field, prefix):
        """WHERE clause: lower(`field`) (username or email) starts with `prefix`, as a range
        an index reads (prefix_range). `prefix` is text, never a pattern."""
        return cls.prefix_range(field, *prefix_bounds(prefix))

    @classmethod
    def prefix_range(cls, field, low, high):
        """WHERE clause: lower(`field`) between `low` and `high` (values or placeholders:
        prefix_bounds) in binary order: SQLite's lower() indexes read it; on PostgreSQL the
        text_pattern_ops indexes of migration 0013 and their operators, whatever the
        collation (a LIKE pattern would not use them in a prepared statement)."""
        if is_sqlite():
            return (fn.LOWER(field) >= low) & (fn.LOWER(field) <= high)
        return (Expression(fn.LOWER(field), "~>=~", low)
                & Expression(fn.LOWER(field), "~<=~", high))

    @classmethod
    def prefix_order(cls, field):
        """ORDER BY lower(`field`) in the binary order of prefix_range's indexes, which then
        hand the rows over sorted: the first few names of a one-letter prefix are read
        without sorting its hundreds (on PostgreSQL the collation's order needed a sort)."""
        if is_sqlite():
            return fn.LOWER(field)
        return NodeList((fn.LOWER(field), SQL("USING ~<~")))

    @classmethod
    def starting_with(cls, prefix, limit=5):
        """The active users whose username starts with `prefix` (any case), A to Z, at most
        `limit`, as dicts (username, email, bio): one compiled query on the lower(username)
        index."""
        return PEOPLE_BY_PREFIX.dicts(*prefix_bounds(prefix), limit)

    @classmethod
    def lookup(cls, name, query=None):
        """The user called `name` (any case) from `query` (default: every user), or None."""
        query = cls.select() if query is None else query
        return query.where(cls.named(name)).first()

    @classmethod
    def with_email(cls, email):
        """Query of the accounts that use `email`, ignoring case (the lower(email) index)."""
        return cls.select().where(fn.LOWER(cls.email) == (email or "").strip().lower())

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
        """Query of users annotated with followers_count, following_count, written_count
        (every message), hidden_count (from their user_stats row: one row, whatever their
        history) and followed_by_viewer; `messages_count` (the visible ones) is their
        difference."""
        return cls.stats_for(viewer.id if viewer is not None and viewer.is_authenticated else 0)

    @classmethod
    def stats_for(cls, viewer_id):
        """with_stats() for the viewer whose id is `viewer_id` (a value or a placeholder)."""
        followed = Relationship.select(fn.COUNT(SQL("*"))).where(
            (Relationship.from_user == viewer_id) & (Relationship.to_user == cls.id))
        counter = lambda field, name: fn.COALESCE(field, SQL("0")).alias(name)  # noqa: E731
        return (cls.select(cls, counter(UserStats.followers, "followers_count"),
                           counter(UserStats.following, "following_count"),
                           counter(UserStats.posts, "written_count"),
                           counter(UserStats.hidden, "hidden_count"),
                           followed.alias("followed_by_viewer"))
                .join(UserStats, JOIN.LEFT_OUTER, on=(UserStats.user == cls.id)))

    @classmethod
    def profile(cls, name, viewer=None):
        """The user called `name` (any case) with their counts, as with_stats(viewer), or
        None: one query, compiled once (a profile is a public page)."""
        member = viewer is not None and viewer.is_authenticated
        shape = PROFILES[member and bool(viewer.screens)]
        found = shape.instances(cls, STAT_NAMES, (name or "").strip().lower(),
                                viewer.id if member else 0)
        return found[0] if found else None

    @property
    def messages_count(self):
        """Visible messages, on a user read through with_stats()."""
        return self.written_count - self.hidden_count

    # --- login sessions -----------------------------------------------------
    def start_session(self, remember=False, user_agent=""):
        """Open a login session for this user; returns its token (also kept as login_token)."""
        token = secrets.token_urlsafe(32)
        LoginSession.create(user=self, token_hash=LoginSession.digest(token), remember=remember,
                            user_agent=(user_agent or "")[:200], created=utcnow())
        self.login_token = token
        return token

    def end_sessions(self, reason, keep=None):
        """End every open login session of this user but the one whose token is `keep`,
        remember-me cookies included; returns how many ended."""
        query = LoginSession.update(ended_at=utcnow(), end_reason=SessionEnd(reason).value).where(
            (LoginSession.user == self.id) & LoginSession.ended_at.is_null())
        if keep:
            query = query.where(LoginSession.token_hash != LoginSession.digest(keep))
        return query.execute()

    def end_session(self, reason=SessionEnd.LOGOUT):
        """End the login session this object was loaded for (logging out)."""
        if self.login_token:
            (LoginSession.update(ended_at=utcnow(), end_reason=SessionEnd(reason).value)
             .where((LoginSession.token_hash == LoginSession.digest(self.login_token))
                    & LoginSession.ended_at.is_null()).execute())

    @classmethod
    def from_session(cls, token):
        """(user, None) for the token of an open session of an active user, else (None, why):
        why is the SessionEnd that closed it, or None for a token we never issued."""
        if not token or not isinstance(token, str) or len(token) > 100:
            return None, None
        found = SESSION_USER.instances(
            cls, ("session_ended_at", "session_end", "_following", "_unread", "_screens"),
            LoginSession.digest(token))
        if not found:
            return None, None
        user = found[0]
        if user.session_ended_at is not None:
            return None, SessionEnd.get(user.session_end)
        if user.is_suspended:
            return None, SessionEnd.SUSPENDED
        user.login_token, user._following = token, user._following or 0
        user._unread, user._screens = user._unread or 0, bool(user._screens)
        return user, None

    # --- settings -----------------------------------------------------------
    def update_settings(self, email, bio, new_password=None, current_password=None,
                        revoke_tokens=False):
        """Save a new email and bio, and a new password when the current one is given right
        (which ends every other login session of this user and, with `revoke_tokens`,
        revokes their API tokens).

        Returns how many other sessions ended. Raises ValidationError (with the field it
        is about) and saves nothing on a bad email, a too long bio, a too short password
        or a wrong current password.
        """
        email, bio = clean_email(email), clean_text(bio, Limits.BIO_MAX, "Bios", field="bio")
        if new_password and not self.check_password(current_password or ""):
            raise ValidationError("Your current password is not right.", field="current_password")
        ended = 0
        with database.atomic():
            self.email, self.bio = email, bio
            if new_password:
                self.set_password(new_password)
                ended = self.end_sessions(SessionEnd.PASSWORD, keep=self.login_token)
                if revoke_tokens:
                    ApiToken.revoke_all(self)
            self.save()
        return ended

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
        if Block.between(self.id, user.id):
            raise ValidationError("You cannot follow this account.")
        # ON CONFLICT DO NOTHING: two clicks at once end with one row, never an error.
        with database.atomic():
            added = (Relationship.insert(from_user=self, to_user=user, created=utcnow())
                     .on_conflict_ignore().as_rowcount().execute())
            if added:
                Notification.send(user.id, Notice.FOLLOW, self)

    def unfollow(self, user):
        """Stop following `user` (idempotent); returns the number of rows removed."""
        return (Relationship.delete().where((Relationship.from_user == self)
                                            & (Relationship.to_user == user)).execute())

    # --- messages -----------------------------------------------------------
    def post(self, content, in_reply_to=None):
        """Create and return a message, a reply to the message `in_reply_to` when given;
        the author of that message and the people it names by @name are notified.
        ValidationError on bad text or while suspended."""
        if self.is_suspended:
            raise ValidationError("Your account is suspended: you cannot post.")
        content = clean_content(content)
        if in_reply_to is not None and Block.between(self.id, in_reply_to.user_id):
            raise ValidationError("You cannot reply to this account.", field="content")
        parent = {} if in_reply_to is None else {"in_reply_to": in_reply_to.id,
                                                  "in_reply_to_user": in_reply_to.user_id}
        named = mentioned_users(content)
        with database.atomic():
            message = Message.create(user=self, content=content, pub_date=utcnow(),
                                     mentions=" ".join(sorted(named)) or None, **parent)
            MessageTag.store(message)
            if in_reply_to is not None:
                Notification.send(in_reply_to.user_id, Notice.REPLY, self, message)
            for user_id in named.values():
                if in_reply_to is None or user_id != in_reply_to.user_id:
                    Notification.send(user_id, Notice.MENTION, self, message)
        return message

    def delete_message(self, message):
        """Delete `message`, one of this user's own, for good, with the reports and likes on
        it; its replies stay (replying to a deleted message). Not a moderation act: no
        audit entry. PermissionError for someone else's message; returns whether a row went."""
        if message.user_id != self.id:
            raise PermissionError("You can only delete your own messages.")
        with database.atomic():
            return Message.remove(message.id) is not None

    def like(self, message):
        """Like `message` (idempotent; its author is notified the first time).
        ValidationError while suspended."""
        if self.is_suspended:
            raise ValidationError("Your account is suspended.")
        if Block.between(self.id, message.user_id):
            raise ValidationError("You cannot like this account's messages.")
        with database.atomic():
            added = (MessageLike.insert(user=self.id, message=message.id, created=utcnow())
                     .on_conflict_ignore().as_rowcount().execute())
            if added:
                Notification.send(message.user_id, Notice.LIKE, self, message)

    def unlike(self, message):
        """Take back a like of `message` (idempotent), and its notification if unread;
        returns whether there was one."""
        with database.atomic():
            Notification.delete().where(
                (Notification.kind == Notice.LIKE.value) & (Notification.actor == self.id)
                & (Notification.message == message.id) & Notification.read_at.is_null()).execute()
            return bool(MessageLike.delete().where(
                (MessageLike.user == self.id) & (MessageLike.message == message.id)).execute())

    # --- blocks and mutes -----------------------------------------------------
    def block(self, user):
        """Block `user` (idempotent): the follows between you go both ways, and their unread
        notifications to you. ValidationError for oneself."""
        if user.id == self.id:
            raise ValidationError("You cannot block yourself.")
        with database.atomic():
            Block.insert(blocker=self.id, blocked=user.id, created=utcnow()) \
                .on_conflict_ignore().execute()
            Relationship.delete().where(
                ((Relationship.from_user == self.id) & (Relationship.to_user == user.id))
                | ((Relationship.from_user == user.id) & (Relationship.to_user == self.id))
            ).execute()
            Notification.delete().where((Notification.recipient == self.id)
                                        & (Notification.actor == user.id)
                                        & Notification.read_at.is_null()).execute()

    def unblock(self, user):
        """Stop blocking `user` (idempotent); returns whether there was a block."""
        return bool(Block.delete().where((Block.blocker == self.id)
                                         & (Block.blocked == user.id)).execute())

    def mute(self, user):
        """Mute `user` (idempotent). ValidationError for oneself."""
        if user.id == self.id:
            raise ValidationError("You cannot mute yourself.")
        Mute.insert(muter=self.id, muted=user.id, created=utcnow()).on_conflict_ignore().execute()

    def unmute(self, user):
        """Stop muting `user` (idempotent); returns whether there was a mute."""
        return bool(Mute.delete().where((Mute.muter == self.id) & (Mute.muted == user.id))
                    .execute())

    def blocked_users(self):
        """Query of the users this user blocks, by username."""
        return (User.select().join(Block, on=(Block.blocked == User.id))
                .where(Block.blocker == self.id).order_by(User.username))

    def muted_users(self):
        """Query of the users this user mutes, by username."""
        return (User.select().join(Mute, on=(Mute.muted == User.id))
                .where(Mute.muter == self.id).order_by(User.username))

    @property
    def unread_count(self):
        """Unread notifications (their counters row; read with the user when it was loaded
        for a login session)."""
        if getattr(self, "_unread", None) is None:
            self._unread = (UserStats.select(UserStats.unread)
                            .where(UserStats.user == self.id).scalar() or 0)
        return self._unread

    def notifications(self):
        """Query of this user's notifications, with their actor and message joined."""
        Actor = User.alias("actor")
        return (Notification.select(Notification, Actor, Message)
                .join(Actor, JOIN.LEFT_OUTER, on=(Notification.actor == Actor.id), attr="actor")
                .join_from(Notification, Message, JOIN.LEFT_OUTER,
                           on=(Notification.message == Message.id), attr="message")
                .where(Notification.recipient == self.id))

    def mark_notifications_read(self):
        """Mark every unread notification of this user read; returns how many."""
        self._unread = 0
        return (Notification.update(read_at=utcnow())
                .where((Notification.recipient == self.id) & Notification.read_at.is_null())
                .execute())

    @property
    def screens(self):
        """Whether a block (either way) or a mute stands between this user and someone:
        feeds read for a user with none leave that filter out (read with the user when it
        was loaded for a login session)."""
        if getattr(self, "_screens", None) is None:
            self._screens = User.select().where((User.id == self.id) & screens_of(self.id)).exists()
        return self._screens

    def following_count(self):
        """How many accounts this user follows (their counters row; read with the user
        when it was loaded for a login session)."""
        if getattr(self, "_following", None) is None:
            self._following = (UserStats.select(UserStats.following)
                               .where(UserStats.user == self.id).scalar() or 0)
        return self._following


class UserStats(BaseModel):
    """A user's counters, kept by the database's triggers (counters.py): read them, never
    write them."""
    user = ForeignKeyField(User, primary_key=True, backref="stats", on_delete="CASCADE")
    followers = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    following = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    posts = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    hidden = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    unread = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # notifications

    class Meta:
        table_name = "user_stats"


class DayCounter(BaseModel):
    """A count per day kept by the database's triggers (counters.py): read, never write."""
    day = DateField()
    n = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])


class ActivityDay(DayCounter):
    """Per day: messages posted, accounts made (signups), distinct posters."""
    metric = CharField(max_length=16)

    class Meta:
        table_name = "activity_day"
        primary_key = CompositeKey("day", "metric")


class PosterDay(DayCounter):
    """Per day and user: the messages they posted."""
    user_id = IntegerField()

    class Meta:
        table_name = "poster_day"
        primary_key = CompositeKey("day", "user_id")
        indexes = ((("day", "n"), False),)


class FollowedDay(DayCounter):
    """Per day and user: the follows they received (that still stand)."""
    user_id = IntegerField()

    class Meta:
        table_name = "followed_day"
        primary_key = CompositeKey("day", "user_id")
        indexes = ((("day", "n"), False),)


class LoginSession(BaseModel):
    """One login: the browser holds the token (in its session and remember-me cookies),
    the database its SHA-256. Ending the row ends that login wherever its cookies went."""
    user = ForeignKeyField(User, backref="login_sessions", index=False)
    token_hash = CharField(max_length=64, unique=True)
    created = DateTimeField(default=utcnow)
    remember = BooleanField(default=False)
    user_agent = CharField(max_length=200, default="")
    ended_at = DateTimeField(null=True)
    end_reason = CharField(max_length=16, null=True)

    class Meta:
        table_name = "login_session"
        indexes = ((("user", "ended_at"), False),)

    @staticmethod
    def digest(token):
        """The stored form of a session token: a random 256-bit token needs no slow hash."""
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(BaseModel):
    """A bearer token of the JSON API: its owner holds the secret (shown once), the
    database its SHA-256 (as for LoginSession), with its name, its scopes (Scope values,
    space-separated), when it was last used and when it was revoked."""
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE", index=False)
    name = CharField(max_length=Limits.TOKEN_NAME_MAX)
    scopes = CharField(max_length=64)
    token_hash = CharField(max_length=64, unique=True)
    created = DateTimeField(default=utcnow)
    last_used = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    PREFIX = "twp_"  # lets secret scanners and people tell a tweepee token at a glance
    TOUCH_SECONDS = 60  # last_used is written at most this often: not a write per request

    class Meta:
        table_name = "api_token"
        indexes = ((("user", "revoked_at"), False),)

    @property
    def scope_list(self):
        return self.scopes.split()

    def allows(self, scope):
        return Scope(scope).value in self.scope_list

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @classmethod
    def issue(cls, user, name, scopes):
        """Make a token for `user` named `name` with `scopes`; returns (token, secret): the
        secret is given once and never stored. ValidationError for an empty or too long
        name, no scope or an unknown one, `moderate` for someone who is not staff, or a
        suspended account."""
        name = clean_text(name, Limits.TOKEN_NAME_MAX, "Token names", field="name")
        if not name:
            raise ValidationError("Give the token a name: what will use it?", field="name")
        wanted = set(scopes or ())
        if not wanted or any(Scope.get(scope) is None for scope in wanted):
            raise ValidationError(f"Choose scopes among {', '.join(Scope.values())}.",
                                  field="scopes")
        if Scope.MODERATE in wanted and not user.is_moderator:
            raise ValidationError("Only moderators and admins can have the moderate scope.",
                                  field="scopes")
        if user.is_suspended:
            raise ValidationError("Your account is suspended.")
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.create(user=user.id, name=name, token_hash=LoginSession.digest(secret),
                           scopes=" ".join(s for s in Scope.values() if s in wanted),
                           created=utcnow())
        return token, secret

    @classmethod
    def authenticate(cls, secret):
        """The live token whose secret is `secret`, with its user as `token.user`, when that
        user is active; else None (one query; last_used is written once a minute at most)."""
        if not secret or not isinstance(secret, str) or len(secret) > 100:
            return None
        # with whether a block or mute touches the user (User.screens: the feeds read it)
        token = (cls.select(cls, User, screens_of(User.id).alias("screens"))
                 .join(User, on=(cls.user == User.id))
                 .where((cls.token_hash == LoginSession.digest(secret))
                        & cls.revoked_at.is_null()).first())
        if token is None or token.user.is_suspended:
            return None
        token.user._screens = bool(token.screens)
        now = utcnow()
        if token.last_used is None or (now - token.last_used).total_seconds() > cls.TOUCH_SECONDS:
            cls.update(last_used=now).where(cls.id == token.id).execute()
            token.last_used = now
        return token

    @classmethod
    def of(cls, user):
        """Query of `user`'s tokens, live ones first, newest first."""
        return (cls.select().where(cls.user == user.id)
                .order_by(cls.revoked_at.is_null(False), cls.created.desc(), cls.id.desc()))

    @classmethod
    def revoke_all(cls, user):
        """Revoke every live token of `user`; returns how many."""
        return (cls.update(revoked_at=utcnow())
                .where((cls.user == user.id) & cls.revoked_at.is_null()).execute())

    @classmethod
    def revoke(cls, user, token_id):
        """Revoke `user`'s token `token_id` (idempotent); returns whether one was live."""
        return bool(cls.update(revoked_at=utcnow())
                    .where((cls.id == token_id) & (cls.user == user.id)
                           & cls.revoked_at.is_null()).execute())


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
    # the message this one answers (None once that one is deleted) and its author, kept
    # with the reply: "replying to @name", or "to a deleted message" (migration 0008)
    in_reply_to = ForeignKeyField("self", null=True, backref="replies", on_delete="SET NULL",
                                  index=False)
    in_reply_to_user = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False,
                                       backref="replies_received")
    # the lowercased names of the users it mentioned when posted, space-separated (0009)
    mentions = TextField(null=True)

    class Meta:
        table_name = "message"
        indexes = ((("user", "pub_date", "id"), False), (("pub_date", "id"), False))

    def __str__(self):
        return self.content[:40]

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_reply(self):
        return self.in_reply_to_user_id is not None or self.in_reply_to_id is not None

    @classmethod
    def remove(cls, message_id):
        """Delete the message `message_id` and the reports on it; its likes, counts and
        notifications go by their foreign keys, its replies stay (their parent set to NULL).
        Returns how many reports went, or None when the message was already gone. Call it
        in a transaction: the user's own deletion and the admins' verb both do."""
        reports = Report.delete().where(Report.message == message_id).execute()
        return reports if cls.delete().where(cls.id == message_id).execute() else None

    @classmethod
    def matching(cls, words):
        """WHERE clause: the message holds every one of `words` (search.terms of a query),
        through the full-text index (FTS5 on SQLite, the tsvector's GIN index on
        PostgreSQL); never true for no words."""
        if not words:
            return SQL("1 = 0")
        if is_sqlite():
            found = MessageIndex.select(MessageIndex.rowid).where(
                MessageIndex.match(search.fts5_query(words)))
            return cls.id.in_(found)
        return cls.tsquery_matches(search.plain_query(words))

    @classmethod
    def tsquery_matches(cls, text):
        """PostgreSQL's WHERE clause: the message's tsvector (migration 0013) matches the
        words of `text` (a value or a placeholder), parsed by plainto_tsquery: no syntax."""
        return Expression(Column(cls, search.PG_COLUMN), "@@",
                          fn.plainto_tsquery(search.PG_CONFIG, text))

    @classmethod
    def search(cls, text):
        """Query of the messages that hold every word of the query `text`, whatever people
        typed (quotes, operators and the like are not syntax: search.terms); none when it
        has no word. Callers add who may see them and the order."""
        return cls.select().where(cls.matching(search.terms(text)))

    @classmethod
    def tagged(cls, tag):
        """Query of the messages carrying #`tag` (any case), newest first by id."""
        tag = normal_tag(tag)
        return (cls.select().join(MessageTag, on=(MessageTag.message == cls.id))
                .where(MessageTag.tag == (tag or "")).order_by(MessageTag.message.desc()))

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
    def visible_to(cls, viewer):
        """Query of the messages `viewer` may open, whole, with their author joined:
        every message for staff, the public ones for everybody else."""
        query = cls.select(cls, User).join(User, on=(cls.user == User.id))
        return query if cls.sees_all(viewer) else query.where(cls.public())

    @staticmethod
    def sees_all(viewer):
        """True when `viewer` may open hidden messages and those of suspended authors: staff."""
        return getattr(viewer, "is_authenticated", False) and viewer.is_moderator


class MessageLike(BaseModel):
    """`user` likes `message`: one row per pair (liking twice is liking once)."""
    user = ForeignKeyField(User, backref="likes", on_delete="CASCADE", index=False)
    message = ForeignKeyField(Message, backref="likes", on_delete="CASCADE")
    created = DateTimeField(default=utcnow)

    class Meta:
        table_name = "message_like"
        primary_key = CompositeKey("user", "message")


class MessageStats(BaseModel):
    """A message's visible replies and its likes, kept by the database's triggers
    (counters.py): read them, never write them. No row: none of either."""
    message = ForeignKeyField(Message, primary_key=True, backref="stats", on_delete="CASCADE")
    replies = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    likes = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        table_name = "message_stats"


class MessageTag(BaseModel):
    """A hashtag of a message (its stored form: formatting.normal_tag), stored when the
    message is posted. The primary key (tag, message) reads a tag's newest first."""
    tag = CharField(max_length=TAG_MAX)
    message = ForeignKeyField(Message, backref="tags", on_delete="CASCADE")

    class Meta:
        table_name = "message_tag"
        primary_key = CompositeKey("tag", "message")

    @classmethod
    def store(cls, message):
        """Store the hashtags of `message` (a Message or a row with id and content)."""
        tags = tags_in(message.content)
        if tags:
            cls.insert_many([(tag, message.id) for tag in tags],
                            fields=[cls.tag, cls.message]).on_conflict_ignore().execute()
        return tags


class MessageIndex(FTS5Model):
    """SQLite's full-text index of the messages (migration 0013): an FTS5 table whose
    content is message's (rowid = message.id), kept by triggers. Read it; the triggers
    write it."""
    content = SearchField()

    class Meta:
        database = database
        table_name = search.FTS_TABLE
        options = {"content": "message", "content_rowid": "id"}


class Block(BaseModel):
    """`blocker` blocks `blocked`: neither sees the other's messages, and the blocked one
    cannot follow, reply to, mention (no notification) or like the blocker."""
    blocker = ForeignKeyField(User, backref="blocks", on_delete="CASCADE", index=False)
    blocked = ForeignKeyField(User, backref="blocked_by", on_delete="CASCADE")
    created = DateTimeField(default=utcnow)

    class Meta:
        table_name = "block"
        primary_key = CompositeKey("blocker", "blocked")

    @classmethod
    def between(cls, one_id, other_id):
        """True when either of the users `one_id`, `other_id` blocks the other."""
        return cls.select().where(
            ((cls.blocker == one_id) & (cls.blocked == other_id))
            | ((cls.blocker == other_id) & (cls.blocked == one_id))).exists()

    @classmethod
    def unseen_by(cls, viewer_id, with_mutes=False):
        """Subquery: the ids of the users whose messages `viewer_id` (a value or a
        placeholder) does not see: those they block, those who block them and, `with_mutes`,
        those they mute."""
        query = (cls.select(cls.blocked).where(cls.blocker == viewer_id)
                 .union_all(cls.select(cls.blocker).where(cls.blocked == viewer_id)))
        if with_mutes:
            query = query.union_all(Mute.select(Mute.muted).where(Mute.muter == viewer_id))
        return query


class Mute(BaseModel):
    """`muter` mutes `muted`: the muted one's messages leave the muter's timelines."""
    muter = ForeignKeyField(User, backref="mutes", on_delete="CASCADE", index=False)
    muted = ForeignKeyField(User, backref="muted_by", on_delete="CASCADE")
    created = DateTimeField(default=utcnow)

    class Meta:
        table_name = "mute"
        primary_key = CompositeKey("muter", "muted")


class Notification(BaseModel):
    """Something `recipient` should know: a mention, a reply, a follow, a like (by `actor`),
    a moderator's decision (no actor; `text` says what). Deleted with its recipient, actor
    or message; `read_at` once its page was opened."""
    recipient = ForeignKeyField(User, backref="notices_received", on_delete="CASCADE",
                                index=False)
    kind = CharField(max_length=16, choices=Notice.choices())
    actor = ForeignKeyField(User, null=True, backref="notified", on_delete="CASCADE")
    message = ForeignKeyField(Message, null=True, backref="notifications", on_delete="CASCADE")
    text = CharField(max_length=Limits.REASON_MAX, null=True)
    created = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        table_name = "notification"
        indexes = ((("recipient", "created", "id"), False),)

    @property
    def is_unread(self):
        return self.read_at is None

    @classmethod
    def send(cls, recipient_id, kind, actor=None, message=None, text=None):
        """Notify the user `recipient_id` of `kind`; nothing when the actor is the recipient
        or a block stands between them. Returns the notification or None."""
        actor_id = getattr(actor, "id", actor)
        if actor_id is not None and (actor_id == recipient_id
                                     or Block.between(actor_id, recipient_id)):
            return None
        return cls.create(recipient=recipient_id, kind=Notice(kind).value, actor=actor_id,
                          message=getattr(message, "id", message), text=text, created=utcnow())


def mentioned_users(content):
    """{lowercased name: id} of the existing, active users `content` names by @name (at most
    Limits.MENTIONS_MAX names are looked up): one query, none without an @."""
    names = list(dict.fromkeys(name.lower() for name in MENTION_RE.findall(content)))
    if not names:
        return {}
    found = (User.select(fn.LOWER(User.username), User.id)
             .where(fn.LOWER(User.username).in_(names[:Limits.MENTIONS_MAX])
                    & User.suspended_at.is_null()).tuples())
    return dict(found)


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
        # and report_queue (resolved_at NULLS FIRST, created, id): the queue's order,
        # which a model's index cannot say (migration 0015)
        indexes = ((("reporter", "message"), True),)

    @classmethod
    def listing(cls, status="open"):
        """Query of the reports (`status` open, resolved or all) with their message, its
        author and the reporter joined (report.message.user, report.reporter)."""
        Author, Reporter = User.alias("author"), User.alias("reporter")
        query = (cls.select(cls, Message, Author, Reporter)
                 .join(Message, on=(cls.message == Message.id))
                 .join(Author, on=(Message.user == Author.id), attr="user")
                 .switch(cls).join(Reporter, on=(cls.reporter == Reporter.id), attr="reporter"))
        if status == "open":
            return query.where(cls.resolved_at.is_null())
        return query.where(cls.resolved_at.is_null(False)) if status == "resolved" else query

    @classmethod
    def file(cls, reporter, message, category, note=""):
        """Record `reporter`'s report on `message`; ValidationError on bad input or a repeat."""
        if Category.get(category) is None:
            raise ValidationError(f"Choose a category: {', '.join(Category.values())}.",
                                  field="category")
        if reporter.is_suspended:
            raise ValidationError("Your account is suspended.")
        note = clean_text(note, Limits.NOTE_MAX, "Notes", field="note")
        try:
            with database.atomic():
                return cls.create(reporter=reporter, message=message, category=category,
                                  note=note)
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
    # the entry this one undid (moderation.undo); unique: an entry is undone once at most,
    # and the original is never edited (migration 0012)
    undoes = ForeignKeyField("self", null=True, unique=True, backref="undone_by")

    class Meta:
        table_name = "audit_log"
        indexes = ((("created",), False), (("target_model", "target_id"), False),
                   (("actor", "created"), False), (("action", "created"), False))

    @classmethod
    def record(cls, actor, action, target, before=None, after=None, reason=None, undoes=None,
               **extra):
        """Write and return one entry: `actor` did `action` to `target` (a model instance),
        undoing the entry `undoes` when given (IntegrityError if it was undone already).

        Called only by adminapp.moderation, inside the verb's transaction.
        """
        details = {"before": before, "after": after, "reason": reason, **extra}
        if undoes is not None:
            details["undoes"] = undoes.id
        return cls.create(actor=actor, action=Action(action).value,
                          target_model=Target(type(target).__name__.lower()).value,
                          target_id=str(target.id), details=details, created=utcnow(),
                          undoes=undoes)

    @classmethod
    def not_undone(cls, entry=None):
        """Condition: the entry (`entry`, a model class or alias; this one by default) has
        not been undone. One probe of the unique index on `undoes` per entry."""
        entry = entry or cls
        Undo = cls.alias("undo")
        return ~fn.EXISTS(Undo.select(SQL("1")).where(Undo.undoes == entry.id))

    @classmethod
    def undo_id(cls):
        """Scalar subquery: the id of the entry that undid this one, or NULL (select it as
        `undone_by_id`: is_undone then reads it without a query)."""
        Undo = cls.alias("undo")
        return Undo.select(Undo.id).where(Undo.undoes == cls.id)

    @classmethod
    def strikes_of(cls, user_id):
        """Subquery: how many warnings the user `user_id` (a value or a column) has had,
        not counting withdrawn ones."""
        user_key = user_id.cast("TEXT") if hasattr(user_id, "cast") else str(user_id)
        return cls.select(fn.COUNT(SQL("*"))).where(
            (cls.target_model == Target.USER.value) & (cls.target_id == user_key)
            & (cls.action == Action.WARN.value) & cls.not_undone())

    @classmethod
    def hits(cls, user, limit=50):
        """Query of the newest `limit` appealable entries that hit `user`: their warnings and
        suspensions, and the hides of their messages still hidden (from the partial index of
        hidden messages by author), with the hidden message as `entry.message` (None for
        the others) and `undone_by_id` (the undo entry's id or None)."""
        Target_message = Message.alias("tm")
        hidden = (Message.select(Message.id.cast("TEXT"))
                  .where((Message.user == user.id) & Message.hidden_at.is_null(False)))
        about_them = ((cls.target_model == Target.USER.value) & (cls.target_id == str(user.id))
                      & cls.action.in_([Action.WARN.value, Action.SUSPEND.value]))
        their_messages = ((cls.target_model == Target.MESSAGE.value) & cls.target_id.in_(hidden)
                          & (cls.action == Action.HIDE.value))
        return (cls.select(cls, Target_message, cls.undo_id().alias("undone_by_id"))
                .join(Target_message, JOIN.LEFT_OUTER, attr="message",
                      on=((cls.target_model == Target.MESSAGE.value)
                          & (Target_message.id == cls.target_id.cast("INTEGER"))))
                .where(about_them | their_messages)
                .order_by(cls.created.desc(), cls.id.desc()).limit(limit))

    @property
    def is_undone(self):
        """True once an undo entry points at this one (a query unless the list joined it)."""
        undone = getattr(self, "undone_by_id", None)
        if undone is not None or hasattr(self, "undone_by_id"):
            return undone is not None
        return type(self).select().where(type(self).undoes == self.id).exists()

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
    def listing(cls):
        """Query of every entry with its actor joined as `entry.actor` (None: the system)."""
        Actor = User.alias("actor")
        return cls.select(cls, Actor).join(Actor, JOIN.LEFT_OUTER, on=(cls.actor == Actor.id),
                                           attr="actor")

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


class Appeal(BaseModel):
    """`user` asks the moderators to reverse `action` (an audit entry that hit them: a hide
    of their message, a suspension or a warning), once per action; a moderator approves
    (the action is undone) or rejects it, with a reason. Written only by moderation.py."""
    user = ForeignKeyField(User, backref="appeals", on_delete="CASCADE", index=False)
    action = ForeignKeyField(AuditLog, unique=True, backref="appeals")
    text = TextField()
    created = DateTimeField(default=utcnow)
    status = CharField(max_length=16, default=AppealStatus.OPEN.value,
                       choices=AppealStatus.choices())
    decided_by = ForeignKeyField(User, null=True, backref="appeals_decided",
                                 on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    decision = CharField(max_length=Limits.REASON_MAX, null=True)

    class Meta:
        table_name = "appeal"
        # the queue (open, oldest first) and a person's own appeals, newest first
        indexes = ((("status", "created"), False), (("user", "created"), False))

    @property
    def is_open(self):
        return self.status == AppealStatus.OPEN

    @classmethod
    def file(cls, user, action_id, text):
        """Record `user`'s appeal of the audit entry `action_id`; returns it. ValidationError
        when the entry did not hit them (or is not appealable), is undone already, was
        appealed already, or the text is empty or too long."""
        text = clean_text(text, Limits.APPEAL_MAX, "Appeals", field="text")
        if is_blank(text):
            raise ValidationError("Say why the moderators should reverse this: an appeal "
                                  "cannot be empty.", field="text")
        action_id = parse_id(action_id)
        entry = (AuditLog.hits(user).where(AuditLog.id == action_id).first()
                 if action_id is not None else None)
        if entry is None or entry.action not in APPEALABLE:
            raise ValidationError("That moderation action did not hit you, or cannot be "
                                  "appealed.", field="action_id")
        if entry.is_undone:
            raise ValidationError("That action was already reversed: there is nothing to "
                                  "appeal.", field="action_id")
        try:
            with database.atomic():
                return cls.create(user=user.id, action=entry.id, text=text, created=utcnow())
        except IntegrityError:
            raise ValidationError("You have already appealed this action: one appeal per "
                                  "action.", field="action_id")

    @classmethod
    def of(cls, user):
        """Query of `user`'s appeals, newest first, with the audit entry appealed."""
        return (cls.select(cls, AuditLog).join(AuditLog, on=(cls.action == AuditLog.id))
                .where(cls.user == user.id).order_by(cls.created.desc(), cls.id.desc()))


# The current user of every request, by login session token: one compiled query
# (models.User.from_session), the user with the session's state, their follow count and
# their unread notifications.
def screens_of(user_id):
    """Condition: a block by or of `user_id`, or a mute by them, exists (three index probes)."""
    def exists(query):
        return fn.EXISTS(query.select(SQL("1")))
    return (exists(Block.select().where(Block.blocker == user_id))
            | exists(Block.select().where(Block.blocked == user_id))
            | exists(Mute.select().where(Mute.muter == user_id)))


SESSION_USER = Shape(lambda p: (
    LoginSession.select(*User._meta.sorted_fields, LoginSession.ended_at, LoginSession.end_reason,
                        UserStats.following, UserStats.unread, screens_of(User.id))
    .join(User, on=(LoginSession.user == User.id))
    .join(UserStats, JOIN.LEFT_OUTER, on=(UserStats.user == User.id))
    .where(LoginSession.token_hash == p(0))))

# A profile: the user by name with their counts and what stands between them and the
# viewer (User.profile), compiled once for each kind of viewer.
STAT_NAMES = ("followers_count", "following_count", "written_count", "hidden_count",
              "followed_by_viewer", "blocked_by_viewer", "blocks_viewer", "muted_by_viewer")


def _profile(p, screened):
    """The profile query; `screened`: the viewer blocks, is blocked or mutes someone (else
    no block or mute stands between them and anyone, and none is looked up)."""
    viewer = p(1)

    def exists(model, source, target):
        if not screened:
            return SQL("0")
        return fn.EXISTS(model.select(SQL("1")).where(source & target))
    return (User.stats_for(viewer).select_extend(
        exists(Block, Block.blocker == viewer, Block.blocked == User.id).alias("blocked_by_viewer"),
        exists(Block, Block.blocker == User.id, Block.blocked == viewer).alias("blocks_viewer"),
        exists(Mute, Mute.muter == viewer, Mute.muted == User.id).alias("muted_by_viewer"))
        .where(fn.LOWER(User.username) == p(0)))


PROFILES = {screened: Shape(lambda p, screened=screened: _profile(p, screened))
            for screened in (False, True)}

# People whose username starts with a text (a search), A to Z: User.starting_with.
PEOPLE_BY_PREFIX = Shape(lambda p: (
    User.select(User.username, User.email, User.bio)
    .where(User.suspended_at.is_null() & User.prefix_range(User.username, p(0), p(1)))
    .order_by(User.prefix_order(User.username)).limit(p(2))), generic=True)

MODELS = [User, UserStats, ActivityDay, PosterDay, FollowedDay, LoginSession, ApiToken, Relationship,
          Message, MessageLike, MessageStats, MessageTag, Block, Mute, Notification, Report,
          AuditLog, Appeal]

# Usernames are unique ignoring case: "Alice" and "alice" are one person.
User.add_index(User.index(fn.LOWER(User.username), unique=True, name="user_username_lower"))
User.add_index(User.index(User.join_date, name="user_join_date"))
# Password reset finds accounts by email (migration 0005).
User.add_index(User.index(fn.LOWER(User.email), name="user_email_lower"))
# Only hidden rows, by author: the profile's message count (migration 0004).
Message.add_index(Message.index(Message.user, where=Message.hidden_at.is_null(False),
                                name="message_hidden_by_author"))
# Only timed suspensions: the due ones are found from it (migration 0011).
User.add_index(User.index(User.suspended_until, where=User.suspended_until.is_null(False),
                          name="user_suspended_until"))
# Only suspended rows: public pages exclude their messages through it (migration 0003).
User.add_index(User.index(User.suspended_at, where=User.suspended_at.is_null(False),
                          name="user_suspended_at"))
# Only replies, by parent and date: a thread's replies, oldest first (migration 0008).
Message.add_index(Message.index(Message.in_reply_to, Message.pub_date, Message.id,
                                where=Message.in_reply_to.is_null(False), name="message_replies"))
# Only hidden rows: the dashboard counts them without reading the table (migration 0002).
Message.add_index(Message.index(Message.hidden_at, where=Message.hidden_at.is_null(False),
                                name="message_hidden_at"))
