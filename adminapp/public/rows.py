"""Message rows rendered once and kept: a timeline page renders 20 rows, and the row
template was most of a page's time.

A row shows nothing that changes (messages are never edited; a hidden message or a
suspended author's leaves the lists, and hiding is part of the key) but for its
relative time ("3 min ago") and the moderation form, which are put in each time at two
marks. The key holds everything the row shows, so a reused id (SQLite may give a deleted row's
id again) or another app in the same process never gets another message's row. Each
worker keeps up to ROWS_KEPT rows (about 1 KB each), then starts again.
"""
import secrets

from flask import current_app, get_template_attribute
from markupsafe import Markup, escape

from ..formatting import timeago
from ..models import utcnow

ROWS_KEPT = 5000
# marks no escaped text can contain: fresh random hex for each worker
TIME, MODERATION = (f"\x01{secrets.token_hex(8)}\x01" for _ in range(2))
_kept = {}


def message_row(message, moderation="", now=None):
    """The HTML of one message row (templates/_message_row.html), with its relative time
    as of `now` (default: this instant) and `moderation` (the Hide/Unhide form, or "")."""
    author, gravatar = message.user, bool(current_app.config.get("GRAVATAR"))
    key = (message.id, message.content, message.pub_date, message.is_hidden, author.username,
           author.email if gravatar else None, gravatar)
    parts = _kept.get(key)
    if parts is None:
        html = str(get_template_attribute("_message_row.html", "row")(
            message, Markup(TIME), Markup(MODERATION), gravatar))
        head, rest = html.split(TIME, 1)
        parts = (head, *rest.split(MODERATION, 1))
        if len(_kept) >= ROWS_KEPT:
            _kept.clear()
        _kept[key] = parts
    # every piece is already safe HTML: joined as text, marked safe once
    return Markup("".join((parts[0], timeago(message.pub_date, now), parts[1],
                           escape(moderation), parts[2])))


def message_rows(messages):
    """The rows of `messages` without moderation forms, one after the other, their times
    as of one instant (a Jinja call per row was a tenth of a timeline's time)."""
    now = utcnow()
    return Markup("".join([message_row(message, now=now) for message in messages]))
