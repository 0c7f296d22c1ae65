"""How values read on every page, and how ids typed into URLs and forms are read back.

Times are stored as naive UTC (models.utcnow()); pages show them relative
("3 min ago") with the exact UTC time on hover, and the back office shows the
exact time. These are the only places that format a time, cut an excerpt or
parse an id: templates reach them as filters (see `init_app`), Python as functions.
"""
import datetime
import json
import re
import unicodedata
import zlib
from urllib.parse import quote

from jinja2 import pass_eval_context
from jinja2.filters import do_urlize
from markupsafe import Markup, escape

# The largest id a 64-bit signed integer column holds (SQLite and PostgreSQL bigint).
MAX_ID = 2**63 - 1
# as many colours as .avatar.cN classes in css/tweepee.css
AVATAR_COLOURS = 10


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# --- ids ----------------------------------------------------------------------------
def parse_id(value):
    """`value` (text or int) as a row id, or None when it is not one.

    Only ASCII digits within 1..MAX_ID: garbage and ids too large for the
    database never reach a query.
    """
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


# --- times --------------------------------------------------------------------------
def utc(moment, seconds=False):
    """A stored datetime as "2025-01-31 14:05 UTC" (with ":07" seconds if asked); "" for None."""
    if not isinstance(moment, datetime.datetime):
        return ""
    return moment.isoformat(" ", "seconds" if seconds else "minutes") + " UTC"


def iso_utc(moment):
    """A stored datetime as ISO 8601 with a Z ("2025-01-31T14:05:07Z"), for <time datetime>."""
    return moment.isoformat() + "Z" if isinstance(moment, datetime.datetime) else ""


def month_year(moment):
    """"March 2024": when someone joined."""
    return f"{moment:%B %Y}" if moment else ""


def timeago(moment, now=None):
    """'just now', '3 min ago', '5 h ago', '2 days ago', else the date ('Mar 3' or 'Mar 3, 2024')."""
    if moment is None:
        return ""
    now = now or _utcnow()
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        days = int(seconds // 86400)
        return f"{days} day{'s' if days != 1 else ''} ago"
    year = "" if moment.year == now.year else f", {moment.year}"
    return f"{moment:%b} {moment.day}{year}"


def thousands(value):
    """A count with thousands separators ("12,345"); 0 for None."""
    return f"{value or 0:,}"


# --- text ---------------------------------------------------------------------------
def excerpt(text, length=80):
    """`text` on one line, cut at `length` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def excerpt_html(text, length=80):
    """excerpt() for templates (its `excerpt` filter): escaped, the ellipsis written as an
    entity, so that a page of ASCII stays ASCII (one character past Latin-1 makes Python
    hold the whole page two bytes a character, and encode it in a loop)."""
    cut = excerpt(text, length)
    return escape(cut[:-1]) + Markup("&hellip;") if cut.endswith("…") else cut


# @name in a message: not inside a word, an address or a URL path (me@x.org, x.org/@bob)
MENTION_RE = re.compile(r"(?<![\w@/.:+-])@([A-Za-z0-9_]{3,30})(?![\w@])")


# #tag in a message: after a space, an opening bracket or quote, or at the start (not in a
# URL's fragment, x.org/#a, nor a word, C#); letters, digits or _ in any script, one letter
# at least (#1 is not a tag)
TAG_RE = re.compile(r"(?<![^\s(\[{\"'“‘«])#(\w{1,50})(?!\w)")
TAG_MAX = 50   # characters of a tag
TAGS_MAX = 10  # tags of a message that are stored (MessageTag.store)
TAG_WORD = re.compile(r"\w{1,%d}" % TAG_MAX)


def normal_tag(tag):
    """The stored form of a hashtag (without its #): NFC, case folded, at most TAG_MAX
    characters; None when it is not one (no letter)."""
    tag = unicodedata.normalize("NFC", tag or "").casefold()[:TAG_MAX]
    return tag if any(c.isalpha() for c in tag) and TAG_WORD.fullmatch(tag) else None


def tags_in(content):
    """The stored forms of the hashtags of `content`, in order, without repeats (at most
    TAGS_MAX)."""
    if "#" not in content:
        return []
    found = (normal_tag(tag) for tag in TAG_RE.findall(content))
    return [tag for tag in dict.fromkeys(found) if tag][:TAGS_MAX]


@pass_eval_context
def linkify(eval_ctx, text, mentions=None):
    """Escape `text` and make http(s) and www. links clickable (rel=nofollow noopener), each
    @name whose lowercased name is in `mentions` (the space-separated names the message
    mentioned when it was posted: Message.mentions) a link to that profile, and each #tag
    a link to its tag page."""
    names = set(mentions.split()) if mentions else ()
    found = []
    for match in MENTION_RE.finditer(text) if names else ():
        name = match.group(1)
        if name.lower() in names:
            found.append((match.start(), match.end(), Markup(
                '<a class="mention" href="/users/{0}/">@{0}</a>').format(name)))
    for match in TAG_RE.finditer(text) if "#" in text else ():
        tag = normal_tag(match.group(1))
        if tag:
            found.append((match.start(), match.end(), Markup(
                '<a class="tag" href="/tags/{0}/">#{1}</a>').format(quote(tag), match.group(1))))
    if not found:
        return _links(eval_ctx, text)
    parts, last = [], 0
    for start, end, link in sorted(found, key=lambda f: f[0]):
        if start < last:
            continue
        parts.append(_links(eval_ctx, text[last:start]))
        parts.append(link)
        last = end
    parts.append(_links(eval_ctx, text[last:]))
    return Markup("").join(parts)


def _links(eval_ctx, text):
    """urlize is the slowest part of a timeline render (docs/architecture.md,
    "Performance"): run it only on text that can hold a link."""
    if "://" not in text and "www." not in text:
        return escape(text)
    return Markup(do_urlize(eval_ctx, text, trim_url_limit=40, nofollow=True, target="_blank",
                            rel="noopener noreferrer"))


def json_text(value, indent=None, sort_keys=False):
    """`value` as JSON text for people to read (unicode characters as they are)."""
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys)


def avatar_index(name):
    """A stable colour number for the initials avatar of `name` (class cN)."""
    return zlib.crc32(name.encode("utf-8")) % AVATAR_COLOURS


FILTERS = {"utc": utc, "iso_utc": iso_utc, "month_year": month_year, "timeago": timeago,
           "thousands": thousands, "excerpt": excerpt_html, "linkify": linkify,
           "json_text": json_text, "avatar_index": avatar_index}


def init_app(app):
    """Register the helpers as template filters on `app`'s Jinja environment."""
    app.jinja_env.filters.update(FILTERS)
