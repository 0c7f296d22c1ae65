"""The access rule of the back office, in one place.

Anonymous visitors go to /login/?next=..., plain users get 403, moderators
and admins are in. Flask-Admin calls is_accessible() before every endpoint
of a view (list, details, edit, action, export, ajax), so the rule holds
everywhere, not only in the menu. Views narrow it with flags.
"""
from flask import abort, flash, redirect, request, url_for
from flask_admin.contrib.peewee import ModelView
from flask_login import current_user

from .. import moderation


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


class ModeratorView(StaffOnly, ModelView):
    """Base of the model views: read and act through the verbs; no raw create/delete."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    page_size = 20
    can_set_page_size = True
    # no COUNT(*) over large tables on every list page (notes/flask-admin-peewee.md)
    simple_list_pager = True
    # actions that only admins may run, by name
    admin_actions = ()
    # endpoints a view turns off by flag answer 403 rather than redirecting to the list
    endpoint_flags = {"create_view": "can_create", "edit_view": "can_edit",
                      "delete_view": "can_delete", "details_view": "can_view_details",
                      "export": "can_export"}
    max_page = 10**6

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        flag = self.endpoint_flags.get(name)
        if response is None and flag and not getattr(self, flag):
            abort(403)
        return response

    def _get_column_by_idx(self, idx):
        """The listed column at `idx` when it is sortable, else None.

        Flask-Admin's peewee get_list raises KeyError (a 500) for ?sort= on a
        column that is listed but not sortable.
        """
        column = super()._get_column_by_idx(idx)
        return column if column is not None and column[0] in self._sortable_columns else None

    def _get_list_extra_args(self):
        """The list's URL arguments, ?page= kept to 0..max_page (no negative or huge OFFSET)."""
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), self.max_page)
        return args

    def is_action_allowed(self, name):
        if name in self.admin_actions and not current_user.is_admin:
            return False
        return super().is_action_allowed(name)

    def apply(self, verb, ids, *args, **kwargs):
        """Run `verb(current_user, row, ...)` on each selected row; flash what was done and refused."""
        done, refused = 0, []
        # ASCII digits within the database's integer range: garbage never reaches the query
        ids = [int(i) for i in ids if str(i).isascii() and str(i).isdigit() and len(str(i)) < 19]
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
