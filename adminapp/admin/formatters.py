"""What the model views share: column formatters and the peewee query helpers.

Formatters return Markup for the HTML pages and plain text for the CSV
export. `JoinedQueryMixin` holds the workarounds of
notes/flask-admin-peewee.md for views whose get_query() joins (and aliases)
every related table, so that a page costs the same few queries at any size.
"""
import datetime

from flask import request, url_for
from flask_admin.model import typefmt
from markupsafe import Markup, escape
from peewee import CharField, FieldAlias, Ordering, TextField

from ..db import database

MAX_ID = 2**63 - 1


# --- values ---------------------------------------------------------------------------
def when(value):
    """A stored (naive UTC) datetime as "2025-01-31 14:05 UTC"; "" for None."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def excerpt(text, length=80):
    """The first `length` characters of `text`, with an ellipsis when cut."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def link(url, text, title=None, cls=None):
    attrs = f' title="{escape(title)}"' if title else ""
    attrs += f' class="{cls}"' if cls else ""
    return Markup(f'<a href="{escape(url)}"{attrs}>{escape(text)}</a>')


def public_link(url, title):
    """A small "open on the site" link beside an admin link."""
    return Markup(f'<a href="{escape(url)}" title="{escape(title)}" class="ml-1 small" '
                  f'target="_blank" rel="noopener"><span class="fa fa-external-link"></span>'
                  f'<span class="sr-only">{escape(title)}</span></a>')


def user_html(user):
    """The user's name linking to their admin details, their role or suspension, and a
    link to their public profile."""
    if user is None or user.id is None:
        return Markup('<span class="text-muted">—</span>')
    details = url_for("user.details_view", id=user.id)
    profile = url_for("public.profile", username=user.username)
    html = link(details, user.username, title=f"{user.username} in the back office")
    if user.role != "user":
        html += Markup(f' <span class="badge badge-info">{escape(user.role)}</span>')
    if user.suspended_at is not None:
        html += Markup(' <span class="badge badge-warning">suspended</span>')
    html += public_link(profile, f"{user.username}'s public profile")
    return Markup(f'<span class="text-nowrap">{html}</span>')


def message_html(message, length=80, details=True):
    """A message excerpt, with links to its admin details and its public permalink."""
    if message is None or message.id is None:
        return Markup('<span class="text-muted">—</span>')
    html = escape(excerpt(message.content, length))
    links = public_link(url_for("public.message_detail", message_id=message.id),
                        "Public page of the message")
    if details:
        links = link(url_for("message.details_view", id=message.id), "message details",
                     title="The message in the back office", cls="small ml-1") + links
    return html + Markup(f' <span class="text-nowrap">{links}</span>')


# --- column formatters: (view, context, model, name) -> value ------------------------------
def user_column(attr):
    """Formatter for a column showing the user at `model.<attr>` (joined in get_query)."""
    def formatter(view, context, model, name):
        return user_html(getattr(model, attr))
    return formatter


def username_export(attr):
    def formatter(view, context, model, name):
        user = getattr(model, attr)
        return user.username if user is not None else ""
    return formatter


def datetime_formatter(view, value, name):
    return Markup(f'<span class="text-nowrap">{escape(when(value))}</span>')


# Type formatters: datetimes read "2025-01-31 14:05 UTC" on pages, ISO in CSV.
TYPE_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime.datetime: datetime_formatter}
DETAIL_TYPE_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, datetime.datetime: datetime_formatter}
EXPORT_TYPE_FORMATTERS = {**typefmt.EXPORT_FORMATTERS,
                          datetime.datetime: lambda view, value, name: value.isoformat(sep=" ")}


def reason_from_form(default):
    """The optional reason typed for a bulk action, else `default` (at most 200 characters)."""
    return (request.form.get("reason") or "").strip()[:200] or default


# --- the query helpers ------------------------------------------------------------------
def parse_id(value):
    """`value` as a row id, or None when it is not one (garbage never reaches the database)."""
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class JoinedQueryMixin:
    """For a view whose get_query() joins every related table it shows, searches, sorts on.

    - `_handle_join` does nothing: Flask-Admin's own join has no `on=` and guesses
      wrong (or fails) with two foreign keys to one table, and the join is already there.
    - search accepts aliased fields (`User.alias().username`);
    - sort accepts any expression (a correlated subquery's alias, a FieldAlias, an
      Ordering such as `.asc(nulls="first")`), and ends with the primary key so
      pages never repeat or skip rows;
    - `get_one` uses the joined query (details pages cost no lazy loads) and
      answers None for a garbage id;
    - the CSV export streams rows from a cursor instead of loading them all.
    """

    search_placeholder_text = None
    danger_actions = ()  # shown as red buttons on details pages

    def search_placeholder(self):
        return self.search_placeholder_text or "Search"

    def _handle_join(self, query, field, joins):
        return query

    def init_search(self):
        for column in self.column_searchable_list or ():
            field = getattr(self.model, column) if isinstance(column, str) else column
            base = field.field if isinstance(field, FieldAlias) else field
            if not isinstance(base, (CharField, TextField)):
                raise TypeError(f"Can only search on text columns, not {column!r}")
            self._search_fields.append(field)
        return bool(self._search_fields)

    def _sort_clause(self, query, joins, sort_field, sort_desc):
        field = getattr(self.model, sort_field) if isinstance(sort_field, str) else sort_field
        if isinstance(field, Ordering):
            return query, joins, field
        return query, joins, field.desc() if sort_desc else field.asc()

    def _order_by(self, query, joins, order):
        query, joins = super()._order_by(query, joins, order)
        last_desc = bool(order[-1][1]) if order else True
        pk = self.model._meta.primary_key
        return query.order_by_extend(pk.desc() if last_desc else pk.asc()), joins

    def get_actions_list(self):
        """The allowed actions, the admin-only (and hardest) ones last."""
        actions, confirmations = super().get_actions_list()
        actions.sort(key=lambda action: action[0] in self.admin_actions)
        return actions, confirmations

    def action_applies(self, name, model):
        """Whether the action `name` makes sense for `model` (details pages show only those)."""
        return True

    def details_actions(self, model):
        """The allowed actions that apply to `model`: [(name, text, confirmation)]."""
        actions, confirmations = self.get_actions_list()
        return [(name, text, confirmations.get(name)) for name, text in actions
                if self.action_applies(name, model)]

    def get_one(self, id):
        pk = parse_id(id)
        if pk is None:
            return None
        return self.get_query().where(self.model._meta.primary_key == pk).first()

    def _export_data(self):
        """Like Flask-Admin's, but the rows come from a cursor, one at a time."""
        view_args = self._get_list_extra_args()
        column = self._get_column_by_idx(view_args.sort)
        count, query = self.get_list(0, column[0] if column else None, view_args.sort_desc,
                                     view_args.search, view_args.filters, execute=False,
                                     page_size=self.export_max_rows)
        return count, _stream(query)


def _stream(query):
    """Rows of `query` one at a time, on a connection of their own: Flask reads a
    streamed body after the request's teardown has closed the request's connection."""
    with database.connection_context():
        yield from query.iterator()
