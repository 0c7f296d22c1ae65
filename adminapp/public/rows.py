"""Message rows rendered once and kept: a timeline page renders 20 rows, and the row
template was most of a page's time.

A row shows nothing that changes (messages are never edited; a hidden message or a
suspended author's leaves the lists, and hiding is part of the key) but for its
counts and, for a member, whether they like it (both part of the key), its relative
time ("3 min ago") and the moderation form, which are put in each time at two marks.
The key holds everything the row shows, so a reused id (SQLite may give a deleted
row's id again) or another app in the same process never gets another message's row.
Each worker keeps up to ROWS_KEPT rows (about 1 KB each), then starts again.
Notification rows are kept the same way (notice_rows), their relative time put in.
"""
import secrets

from flask import current_app, get_template_attribute
from flask_login import current_user
from markupsafe import Markup, escape

from ..formatting import timeago
from ..models import utcnow

ROWS_KEPT = 5000
# marks no escaped text can contain: fresh random hex for each worker
TIME, ACTIONS = (f"\x01{secrets.token_hex(8)}\x01" for _ in range(2))
_kept = {}
_notices_kept = {}


def message_row(message, actions="", now=None, member=None, gravatar=None, marks=()):
    """The HTML of one message row (templates/_message_row.html), with its relative time
    as of `now` (default: this instant), `actions` (the moderation form, or "") and, for a
    `member` (default: whether someone is logged in), the Like button; `gravatar`
    (default: the GRAVATAR setting) adds the avatar image; `marks`, the words of a search
    marked in its text (search.mark)."""
    member = current_user.is_authenticated if member is None else member
    if gravatar is None:
        gravatar = bool(current_app.config.get("GRAVATAR"))
    author = message.user
    key = (message.id, message.content, message.mentions, message.pub_date, message.is_hidden,
           author.username, author.email if gravatar else None, gravatar,
           message.in_reply_to_id, message.in_reply_to_user_id, message.reply_to_username,
           message.replies, message.likes, member, member and message.liked, tuple(marks))
    parts = _kept.get(key)
    if parts is None:
        html = str(get_template_attribute("_message_row.html", "row")(
            message, Markup(TIME), Markup(ACTIONS), gravatar, member, tuple(marks)))
        head, rest = html.split(TIME, 1)
        parts = (head, *rest.split(ACTIONS, 1))
        if len(_kept) >= ROWS_KEPT:
            _kept.clear()
        _kept[key] = parts
    # every piece is already safe HTML: joined as text, marked safe once
    return Markup("".join((parts[0], timeago(message.pub_date, now), parts[1],
                           escape(actions), parts[2])))


def message_rows(messages, marks=()):
    """The rows of `messages` without moderation forms, one after the other, their times
    as of one instant (a Jinja call per row was a tenth of a timeline's time), with the
    words `marks` marked."""
    now, member = utcnow(), current_user.is_authenticated
    gravatar = bool(current_app.config.get("GRAVATAR"))
    return Markup("".join([message_row(message, now=now, member=member, gravatar=gravatar,
                                       marks=marks) for message in messages]))


def notice_rows(notices):
    """The rows of `notices` (feeds.NoticeRows, templates/_notice_row.html), their times as
    of one instant: each rendered once per content (everything the row shows is in its
    key) and kept; a Jinja loop over them was two thirds of the notifications page."""
    now = utcnow()
    html = []
    for n in notices:
        key = (n.id, n.kind, n.created, n.is_unread, n.text, n.actor, n.message_id, n.content)
        parts = _notices_kept.get(key)
        if parts is None:
            row = get_template_attribute("_notice_row.html", "row")(n, Markup(TIME))
            if len(_notices_kept) >= ROWS_KEPT:
                _notices_kept.clear()
            parts = _notices_kept[key] = str(row).split(TIME, 1)
        html += (parts[0], timeago(n.created, now), parts[1])
    return Markup("".join(html))
