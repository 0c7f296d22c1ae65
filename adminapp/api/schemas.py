"""What the API takes and gives, as marshmallow schemas: APIFlask validates input with
them and writes them into the OpenAPI document. One name per schema class."""
import datetime
import functools

from apiflask import Schema
from apiflask.fields import AwareDateTime, Boolean, DateTime, Dict, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from urllib.parse import quote

from flask import request
from marshmallow import ValidationError

from .. import moderation, search
from ..vocabulary import Category, Limits, Outcome, Scope

MAX_PAGE = 100


def utc_iso(value):
    """A stored (naive UTC) timestamp as ISO 8601 with its offset, 2026-12-03T22:10:00+00:00;
    None for None. Text (SQLite hands some timestamps back as text) is read first."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored naive, in UTC: the offset written as aware UTC writes it
        return value.isoformat() + "+00:00"
    return value.astimezone(datetime.timezone.utc).isoformat()


class UTCDateTime(DateTime):
    """A stored (naive UTC) timestamp as ISO 8601 with its offset (utc_iso)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc_iso(value)


# --- input ------------------------------------------------------------------------------
class PageQuery(Schema):
    cursor = String(load_default=None, validate=Length(max=100),
                    metadata={"description": "The `next` of the previous page (opaque)."})
    limit = Integer(load_default=20, validate=Range(1, MAX_PAGE),
                    metadata={"description": "Items per page, 1-100."})


def has_words(text):
    """A search must hold a word (search.terms of what the site reads of it): a 422 on `q`
    for an empty one, or one of punctuation, quotes or operators only."""
    if not search.terms(text[:search.QUERY_MAX]):
        raise ValidationError("A search needs at least one word (letters or digits).")


class SearchQuery(PageQuery):
    q = String(required=True, validate=[Length(max=1000), has_words],
               metadata={"description": "The words every message found holds (any case; "
                                        "punctuation and operators are ignored), and the "
                                        "start of the usernames found."})


class TokenRequest(Schema):
    username = String(required=True, validate=Length(max=100))
    password = String(required=True, validate=Length(max=1000))
    name = String(load_default="API", validate=Length(max=Limits.TOKEN_NAME_MAX))
    scopes = List(String(validate=OneOf(Scope.values())), load_default=["read"],
                  validate=Length(min=1, max=len(Scope)))


class MessageIn(Schema):
    content = String(required=True, validate=Length(max=4 * Limits.MESSAGE_MAX),
                     metadata={"description": "1-280 characters once trimmed."})
    in_reply_to = Integer(load_default=None, allow_none=True, validate=Range(1, 2**63 - 1))


class ReportIn(Schema):
    category = String(required=True, validate=OneOf(Category.values()))
    note = String(load_default="", validate=Length(max=Limits.NOTE_MAX))


class StatusQuery(PageQuery):
    status = String(load_default="open", validate=OneOf(("open", "resolved", "all")))


class ReasonIn(Schema):
    reason = String(required=True, validate=Length(min=1, max=Limits.REASON_MAX))


class OptionalReasonIn(Schema):
    reason = String(load_default=None, allow_none=True, validate=Length(max=Limits.REASON_MAX))


class ResolveIn(OptionalReasonIn):
    outcome = String(required=True, validate=OneOf(Outcome.values()))


def in_the_future(until):
    """A suspension's `until` as moderation.suspension_end takes it (the site's rule): a
    422 on the field for a past or unstorable one."""
    try:
        moderation.suspension_end(until=until)
    except moderation.NotAllowed as e:
        raise ValidationError(str(e)) from None


class SuspendIn(ReasonIn):
    until = AwareDateTime(load_default=None, allow_none=True,
                          default_timezone=datetime.timezone.utc, validate=in_the_future,
                          metadata={"description": "When it ends (ISO 8601 date-time, in the "
                                                   "future; UTC without an offset); none or "
                                                   "absent: until restored."})


# --- output -----------------------------------------------------------------------------
class AuthorOut(Schema):
    username = String(required=True)
    url = String(required=True, metadata={"description": "The profile page."})


class MessageOut(Schema):
    id = Integer(required=True)
    content = String(required=True)
    created_at = UTCDateTime(required=True)
    author = Nested(AuthorOut, required=True)
    in_reply_to = Integer(allow_none=True, required=True)
    reply_count = Integer(required=True)
    like_count = Integer(required=True)
    liked = Boolean(required=True, metadata={"description": "Whether you like it."})
    hidden = Boolean(required=True, metadata={"description": "Only staff and its author see "
                                                             "a hidden message."})
    url = String(required=True, metadata={"description": "Its page on the site."})


class MessagePage(Schema):
    items = List(Nested(MessageOut), required=True)
    next = String(allow_none=True, required=True,
                  metadata={"description": "The cursor of the next page; null on the last."})


class UserOut(Schema):
    username = String(required=True)
    bio = String(required=True)
    joined_at = UTCDateTime(required=True)
    role = String(required=True)
    suspended = Boolean(required=True)
    followers_count = Integer(required=True)
    following_count = Integer(required=True)
    messages_count = Integer(required=True)
    followed_by_you = Boolean(required=True)
    url = String(required=True)


class UserBrief(Schema):
    username = String(required=True)
    bio = String(required=True)
    url = String(required=True)


class UserPage(Schema):
    items = List(Nested(UserBrief), required=True)
    next = String(allow_none=True, required=True)


class SearchHit(MessageOut):
    """A message a search found: a MessageOut. Its own class because the document lists
    /search (the shortest path) first, and a MessageOut met there nested would take the
    name that the top-level one of /messages needs (apispec warned, wrote MessageOut1)."""


class SearchPage(Schema):
    items = List(Nested(SearchHit), required=True)
    next = String(allow_none=True, required=True,
                  metadata={"description": "The cursor of the next page; null on the last."})
    people = List(Nested(UserBrief), required=True,
                  metadata={"description": "On the first page, the active people whose "
                                           "username starts with the text (at most 5); "
                                           "[] on the next pages."})


class TokenOut(Schema):
    id = Integer(required=True)
    name = String(required=True)
    scopes = List(String(), required=True)
    created_at = UTCDateTime(required=True)
    token = String(required=True, metadata={"description": "The secret: shown this once."})


class ReportOut(Schema):
    id = Integer(required=True)
    category = String(required=True)
    note = String(required=True)
    created_at = UTCDateTime(required=True)


class NotificationOut(Schema):
    id = Integer(required=True)
    kind = String(required=True)
    actor = String(allow_none=True, required=True, metadata={"description": "A username."})
    message = Integer(allow_none=True, required=True, metadata={"description": "A message id."})
    text = String(allow_none=True, required=True)
    created_at = UTCDateTime(required=True)
    unread = Boolean(required=True)


class NotificationPage(Schema):
    items = List(Nested(NotificationOut), required=True)
    next = String(allow_none=True, required=True)


class ReportEntry(Schema):
    id = Integer(required=True)
    category = String(required=True)
    note = String(required=True)
    created_at = UTCDateTime(required=True)
    reporter = String(required=True)
    message = Nested(MessageOut, required=True)
    resolution = String(allow_none=True, required=True)
    resolved_at = UTCDateTime(allow_none=True, required=True)


class ReportPage(Schema):
    items = List(Nested(ReportEntry), required=True)
    next = String(allow_none=True, required=True)


class AuditEntry(Schema):
    id = Integer(required=True)
    actor = String(allow_none=True, required=True, metadata={"description": "None: the system."})
    action = String(required=True)
    target_model = String(required=True)
    target_id = String(required=True)
    details = Dict(required=True)
    created_at = UTCDateTime(required=True)


class AuditPage(Schema):
    items = List(Nested(AuditEntry), required=True)
    next = String(allow_none=True, required=True)


# RFC 9457, as every error under /api/ is answered (errors.py)
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "description": "Per field (422): what to change.",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}


# --- shaping rows -------------------------------------------------------------------------
def message_json(row, root=None):
    """A message row of feeds.py as the API's message (docs/architecture.md, "The JSON API"),
    ready for JSON as it is (MessageOut's form: a page of them is sent without marshmallow,
    pages.page_answer). Its URLs are written from `root`, the request's root (read once
    for a page: pages.page_answer), as the templates write "/users/<name>/": two url_for
    a message were a fifth of a timeline's time."""
    root = root or request.url_root
    username = row.user.username
    return {"id": row.id, "content": row.content, "created_at": utc_iso(row.pub_date),
            "author": {"username": username, "url": profile_url(username, root)},
            "in_reply_to": row.in_reply_to_id, "reply_count": row.replies,
            "like_count": row.likes, "liked": bool(row.liked), "hidden": row.is_hidden,
            "url": f"{root}messages/{row.id}/"}


def profile_url(username, root=None):
    """The full URL of `username`'s profile page, /users/<name>/ on the site of `root` (by
    default this request's root)."""
    return f"{root or request.url_root}users/{quoted(username)}/"


# a page names the same few authors again and again: each name is quoted once per worker
quoted = functools.lru_cache(maxsize=4096)(quote)


def user_brief(user, root=None):
    """A user of a list (followers, following), or a person found by a search (a dict)."""
    username, bio = (user["username"], user["bio"]) if isinstance(user, dict) else \
        (user.username, user.bio)
    return {"username": username, "bio": bio, "url": profile_url(username, root)}


def user_json(user):
    """A user read through User.profile (with its counts)."""
    return {"username": user.username, "bio": user.bio, "joined_at": user.join_date,
            "role": user.role, "suspended": user.is_suspended,
            "followers_count": user.followers_count, "following_count": user.following_count,
            "messages_count": user.messages_count,
            "followed_by_you": bool(user.followed_by_viewer),
            "url": profile_url(user.username)}
