"""Message rows rendered once and kept: a timeline page renders 20 rows, and the row
template was most of a page's time.

A row shows nothing that changes (messages are never edited; a hidden message or a
suspended author's leaves the lists, and hiding is part of the key) but for its
counts (part of the key), its relative time ("3 min ago") and the viewer's buttons
(like or unlike, the moderation form), which are put in each time at two marks. The
key holds everything the row shows, so a reused id (SQLite may give a deleted row's id
again) or another app in the same process never gets another message's row. Each
worker keeps up to ROWS_KEPT rows (about 1 KB each), then starts again.
"""
import secrets
from urllib.parse import quote

from flask import current_app, get_template_attribute, request
from flask_login import current_user
from markupsafe import Markup, escape

from ..formatting import timeago
from ..models import utcnow
from ..security import csrf_token

ROWS_KEPT = 5000
# marks no escaped text can contain: fresh random hex for each worker
TIME, ACTIONS = (f"\x01{secrets.token_hex(8)}\x01" for _ in range(2))
_kept = {}
# the like button, written out (a Jinja call per row was a tenth of a timeline's time)
LIKE_FORM = ('<form method="post" class="inline like" action="/messages/{id}/{verb}/?next={next}">'
             '<input type="hidden" name="csrf_token" value="{csrf}">'
             '<button type="submit" class="link{pressed}" aria-pressed="{aria}">{label}</button>'
             "</form>")


def message_row(message, actions="", now=None):
    """The HTML of one message row (templates/_message_row.html), with its relative time
    as of `now` (default: this instant) and `actions` (the viewer's buttons, or "")."""
    author, gravatar = message.user, bool(current_app.config.get("GRAVATAR"))
    key = (message.id, message.content, message.pub_date, message.is_hidden, author.username,
           author.email if gravatar else None, gravatar, message.in_reply_to_id,
           message.in_reply_to_user_id, message.reply_to_username, message.replies,
           message.likes)
    parts = _kept.get(key)
    if parts is None:
        html = str(get_template_attribute("_message_row.html", "row")(
            message, Markup(TIME), Markup(ACTIONS), gravatar))
        head, rest = html.split(TIME, 1)
        parts = (head, *rest.split(ACTIONS, 1))
        if len(_kept) >= ROWS_KEPT:
            _kept.clear()
        _kept[key] = parts
    # every piece is already safe HTML: joined as text, marked safe once
    return Markup("".join((parts[0], timeago(message.pub_date, now), parts[1],
                           escape(actions), parts[2])))


def like_button(message, csrf, here):
    """The Like (or Unlike) form of `message` for the current user; `here` is this page's
    path, quoted (where the button comes back to)."""
    liked = message.liked
    return Markup(LIKE_FORM.format(id=int(message.id), verb="unlike" if liked else "like",
                                   next=here, csrf=escape(csrf), pressed=" liked" if liked else "",
                                   aria="true" if liked else "false",
                                   label="♥ Liked" if liked else "♡ Like"))


def here():
    """This page's path and query, quoted for a ?next= argument."""
    return escape(quote(request.full_path.rstrip("?"), safe=""))


def message_rows(messages):
    """The rows of `messages` with the viewer's like buttons (none for visitors) and no
    moderation forms, one after the other, their times as of one instant (a Jinja call
    per row was a tenth of a timeline's time)."""
    now = utcnow()
    if not current_user.is_authenticated:
        return Markup("".join([message_row(message, now=now) for message in messages]))
    csrf, back = csrf_token(), here()
    return Markup("".join([message_row(message, like_button(message, csrf, back), now=now)
                           for message in messages]))
