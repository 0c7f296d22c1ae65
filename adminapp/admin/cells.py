"""How columns read in the back office: Jinja macros for the pages, text for CSV.

Each HTML cell is a macro of templates/admin/_cells.html; `cell()` turns one
into a Flask-Admin column formatter, so the list, details and dashboard pages
share one look. Exports get plain text (never HTML, never a hash).
"""
import datetime
from operator import attrgetter

from flask import current_app, get_template_attribute
from flask_admin.model import typefmt

from ..formatting import utc

CELLS = "admin/_cells.html"


def macro(name):
    """The macro `name` of templates/admin/_cells.html: looked up once per app (a list
    page calls a hundred), but for each call where templates reload (debug)."""
    if current_app.jinja_env.auto_reload:
        return get_template_attribute(CELLS, name)
    macros = current_app.extensions.setdefault("admin_cells", {})
    if name not in macros:
        macros[name] = get_template_attribute(CELLS, name)
    return macros[name]


def cell(name, attr=None, **options):
    """Formatter (view, context, model, column) -> macro `name` called on the row, or on
    `row.<attr>` when given (a joined user, "message.user"), with `options` as keyword arguments."""
    get = attrgetter(attr) if attr else (lambda model: model)

    def formatter(view, context, model, column):
        return macro(name)(get(model), **options)
    return formatter


def export_username(attr):
    """Export formatter: the username of the user at `row.<attr>`, "" when there is none."""
    def formatter(view, context, model, column):
        user = getattr(model, attr)
        return user.username if user is not None else ""
    return formatter


def export_value(attr):
    """Export formatter: the raw value at `row.<attr>` (a date, under another column name)."""
    return lambda view, context, model, column: getattr(model, attr)


def _datetime(view, value, name):
    return macro("when")(value)


# Type formatters: datetimes read "2025-01-31 14:05 UTC" on pages, ISO in CSV.
TYPE_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime.datetime: _datetime}
DETAIL_TYPE_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, datetime.datetime: _datetime}
EXPORT_TYPE_FORMATTERS = {**typefmt.EXPORT_FORMATTERS,
                          datetime.datetime: lambda view, value, name: value.isoformat(sep=" ")}

__all__ = ["cell", "macro", "export_username", "export_value", "utc", "TYPE_FORMATTERS",
           "DETAIL_TYPE_FORMATTERS", "EXPORT_TYPE_FORMATTERS"]
