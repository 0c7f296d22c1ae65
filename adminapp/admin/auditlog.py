"""/admin/auditlog/: what every moderator did, newest first. Read-only for everyone.

No create, edit or delete, no actions, admins included (docs/architecture.md,
"Roles"); the model refuses updates and deletes too (AuditLog.save/delete_instance).
The one button is Undo, on each reversible entry not yet undone: a POST to
/admin/auditlog/undo/<id>/ (one click and its confirmation) that runs moderation.undo,
a new entry pointing at the old one.
"""
from flask import abort, flash, redirect
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from peewee import JOIN

from .. import moderation

from ..formatting import json_text
from ..models import AuditLog, User
from ..vocabulary import Action, Target
from .base import ModeratorView
from .cells import cell
from .filters import ChoiceFilter, TextEquals, date_filters, username_filters

TargetUser = User.alias("target_user")


class AuditLogView(ModeratorView):
    list_template = "admin/auditlog_list.html"
    column_list = ("created", "actor", "action", "target", "details")
    column_details_list = ("id", "created", "actor", "action", "target", "details")
    column_export_list = ("id", "created", "actor", "action", "target_model", "target_id",
                          "details")
    column_labels = {"created": "When", "actor": "Who", "target_model": "Target type",
                     "target_id": "Target ID", "id": "ID"}
    column_sortable_list = ("created", ("actor", User.username), "action",
                            ("target", AuditLog.target_model))
    column_default_sort = ("created", True)
    column_searchable_list = (User.username, AuditLog.action)
    search_placeholder_text = "Moderator or action"
    column_filters = (
        *username_filters(User.username, "Who"),
        ChoiceFilter(AuditLog.action, "Action", Action.values()),
        ChoiceFilter(AuditLog.target_model, "Target type", Target.values()),
        TextEquals(AuditLog.target_id, "Target ID"),
        *date_filters(AuditLog.created, "When"),
    )
    column_formatters = {"actor": cell("user", "actor"), "target": cell("audit_target"),
                         "details": cell("audit_details")}
    column_formatters_detail = {"actor": cell("user", "actor"), "target": cell("audit_target"),
                                "details": cell("audit_details", full=True)}
    column_formatters_export = {
        "actor": lambda v, c, m, n: m.actor.username if m.actor else "",
        "details": lambda v, c, m, n: json_text(m.details, sort_keys=True),
    }

    def get_query(self):
        # target_id is text (any model's id): a user target's name comes from a join on
        # its integer value, so a page shows names at no extra query
        user_target = ((AuditLog.target_model == Target.USER.value)
                       & (TargetUser.id == AuditLog.target_id.cast("INTEGER")))
        return (AuditLog.select(AuditLog, User, TargetUser,
                                AuditLog.undo_id().alias("undone_by_id"))
                .join(User, JOIN.LEFT_OUTER, on=(AuditLog.actor == User.id))
                .switch(AuditLog)
                .join(TargetUser, JOIN.LEFT_OUTER, on=user_target, attr="target_user"))

    def is_action_allowed(self, name):
        return False  # not even Flask-Admin's built-in delete

    def get_actions_list(self):
        return [], {}

    def undo_button(self, entry):
        """Whether the list shows an Undo button on `entry` (the verb still checks all)."""
        return moderation.can_undo(current_user, entry)

    @expose("/undo/<id:entry_id>/", methods=("POST",))
    def undo_view(self, entry_id):
        """Undo the entry `entry_id` and come back with what happened (flashed); 403 with the
        reason when the current user may not, 404 for an unknown entry."""
        entry = AuditLog.get_or_none(AuditLog.id == entry_id) or abort(404)
        try:
            done = moderation.undo(current_user._get_current_object(), entry,
                                   reason=self.reason())
        except moderation.NothingToUndo as e:
            flash(str(e), "warning")
        except moderation.NotAllowed as e:
            abort(403, description=str(e))
        else:
            flash(f"Undone: audit entry #{entry.id} ({done.action} recorded as #{done.id}).",
                  "success")
        return redirect(get_redirect_target() or self.get_url(".index_view"))
