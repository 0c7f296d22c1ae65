"""The one base of the back office's views, and its access rule.

Anonymous visitors go to /login/?next=..., plain users get 403, moderators
and admins are in. Flask-Admin calls is_accessible() before every endpoint
of a view (list, details, edit, action, export, ajax), so the rule holds
everywhere, not only in the menu. Views narrow it with flags.

A model view is declarations: its columns, filters, formatters (macros of
templates/admin/_cells.html), its get_query() joining what it shows, and thin
bulk actions that call adminapp.moderation through `apply`.
"""
from flask import abort, current_app, flash, redirect, request, url_for
from markupsafe import Markup
from flask_admin.contrib.peewee import ModelView
from flask_login import current_user
from peewee import Model

from .. import moderation
from ..formatting import parse_id
from ..vocabulary import Limits
from .cells import DETAIL_TYPE_FORMATTERS, EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS
from .compat import FlaskAdminFixes, ListRow


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_KEPT = 2000  # list rows' cells kept per app (a few KB each); then start again
SECRET = "\x00secret\x00"  # where a kept row had its request's form token


def row_state(row, depth=3):
    """What a model instance read for a list holds: its type, fields, extra selected
    columns and joined instances (to `depth` levels), as nested tuples."""
    if not isinstance(row, Model) or depth == 0:
        return row
    extras = tuple((name, row_state(value, depth - 1)) for name, value in vars(row).items()
                   if not name.startswith("_"))
    joined = tuple((name, row_state(value, depth - 1)) for name, value in row.__rel__.items())
    return (type(row).__name__, tuple(row.__data__.items()), extras, joined)


class StaffOnly:
    """Mixin for every admin view: moderators and admins only; `admin_only` for admins."""

    admin_only = False

    def is_accessible(self):
        if not current_user.is_authenticated:
            return False
        return current_user.is_admin if self.admin_only else current_user.is_moderator

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class ModeratorView(StaffOnly, FlaskAdminFixes, ModelView):
    """Base of the model views: read, search, export, and act through the verbs only."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    export_max_rows = 0  # every matching row, streamed (compat._export_data)
    # its list's rows are rendered whole by kept_cells (templates/admin/moderation_list.html
    # and report_list.html): they come as ListRows, read into models only to be rendered
    rows_kept_whole = True
    page_size = 20
    can_set_page_size = True
    # no COUNT(*) over large tables on every list page
    simple_list_pager = True
    named_filter_urls = True
    list_template = "admin/moderation_list.html"
    details_template = "admin/details_with_actions.html"
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS

    search_placeholder_text = None
    reason_placeholder = None  # set: the list and details pages ask for a reason
    admin_actions = ()   # actions only admins may run, by name
    danger_actions = ()  # shown as red buttons on details pages

    def search_placeholder(self):
        return self.search_placeholder_text or "Search"

    def is_action_allowed(self, name):
        if name in self.admin_actions and not current_user.is_admin:
            return False
        return super().is_action_allowed(name)

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

    def kept_cells(self, row, render, context=(), secret=""):
        """The HTML of `row`'s cells on a list page: `render(row)` (a macro of
        templates/admin/moderation_list.html) once per distinct content, then kept.

        The key is everything a cell can show: the row's values as the database sent
        them (a ListRow), else its fields, extra columns and joined rows, recursively (the
        cells' formatters read nothing else, never the viewer), so an edited, hidden or
        reported row is rendered anew; and `context`, what else `render` reads (the
        viewer's role, the page's address). A `secret` of the request in the HTML (a form's
        token) is kept as a placeholder and put back in for each request."""
        lazy = isinstance(row, ListRow)
        if self.column_editable_list:
            return render(row.model if lazy else row)
        kept = current_app.extensions.setdefault("admin_rows", {})
        key = (self.endpoint, context, repr(row.values if lazy else row_state(row)))
        html = kept.get(key)
        if html is None:
            if len(kept) >= ROWS_KEPT:
                kept.clear()
            html = kept[key] = str(render(row.model if lazy else row))
            if secret:
                html = kept[key] = html.replace(secret, SECRET)
        return Markup(html.replace(SECRET, secret) if secret else html)

    def list_rows(self, rows, render, context=(), secret=""):
        """The <tr> of each of `rows` (kept_cells), one after the other, as one Markup."""
        return Markup("".join([f"<tr>{self.kept_cells(row, render, context, secret)}</tr>"
                               for row in rows]))

    def get_export_value(self, model, name):
        """A CSV cell: a value a spreadsheet would run as a formula (=, +, -, @, tab, CR
        first) gets a leading ' (OWASP's rule against CSV injection)."""
        value = super().get_export_value(model, name)
        if isinstance(value, str) and value[:1] in FORMULA_STARTS:
            return "'" + value
        return value

    @staticmethod
    def reason(default=None):
        """The reason typed for an action (at most Limits.REASON_MAX characters), else `default`."""
        return (request.form.get("reason") or "").strip()[:Limits.REASON_MAX] or default

    def apply(self, verb, ids, *args, **kwargs):
        """Run `verb(current_user, row, ...)` on each selected row; flash what was done and refused."""
        done, refused = 0, []
        ids = [pk for pk in map(parse_id, ids) if pk is not None]
        for row in self.get_query().where(self.model.id.in_(ids)):
            try:
                verb(current_user, row, *args, **kwargs)
                done += 1
            except moderation.NotAllowed as e:
                refused.append(str(e))
        if done:
            flash(f"{verb.__name__.replace('_', ' ').capitalize()}: {done} done.", "success")
        for reason in sorted(set(refused)):
            flash(reason, "error")
        return done
