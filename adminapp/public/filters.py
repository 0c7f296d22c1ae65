"""Template helpers: relative times, safe clickable links, avatars."""
import datetime
import zlib

from jinja2 import pass_eval_context
from jinja2.filters import do_urlize
from markupsafe import Markup, escape

from ..models import utcnow

# as many colours as .avatar.cN classes in css/tweepee.css
AVATAR_COLOURS = 10


def timeago(moment, now=None):
    """'just now', '3 min ago', '5 h ago', '2 d ago', else the date ('Mar 3' or 'Mar 3, 2024')."""
    if moment is None:
        return ""
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d ago"
    year = "" if moment.year == (now or utcnow()).year else f", {moment.year}"
    return f"{moment:%b} {moment.day}{year}"


def exact_time(moment):
    """The full UTC timestamp, for the hover title and the datetime attribute."""
    return f"{moment:%Y-%m-%d %H:%M} UTC" if isinstance(moment, datetime.datetime) else ""


def time_tag(moment):
    """A <time> element: the relative time, with the exact UTC time on hover."""
    if moment is None:
        return ""
    return Markup(f'<time datetime="{moment.isoformat()}Z" title="{exact_time(moment)}">'
                  f"{timeago(moment)}</time>")


@pass_eval_context
def linkify(eval_ctx, text):
    """Escape `text` and make http(s) and www. links clickable (rel=nofollow noopener).

    urlize is the slowest part of a timeline render (notes/performance.md):
    run it only on text that can hold a link.
    """
    if "://" not in text and "www." not in text:
        return escape(text)
    return Markup(do_urlize(eval_ctx, text, trim_url_limit=40, nofollow=True, target="_blank",
                            rel="noopener noreferrer"))



def avatar_index(name):
    """A stable colour number for the initials avatar of `name` (class cN)."""
    return zlib.crc32(name.encode("utf-8")) % AVATAR_COLOURS


def init_app(app):
    """Register the filters on `app`'s Jinja environment."""
    app.add_template_filter(timeago)
    app.add_template_filter(exact_time)
    app.add_template_filter(time_tag)
    app.add_template_filter(linkify)
    app.add_template_filter(avatar_index)
