"""/admin/appeal/: the appeals queue, open first and oldest first.

An appeal points at the audit entry appealed and at the person who appealed; a
moderator who may act on that person approves it (moderation.approve_appeal: the
action is undone) or rejects it with a reason (moderation.reject_appeal). Both tell
the person. Read-only otherwise: the verbs are the only writers.
"""
from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from peewee import JOIN, Case

from .. import moderation
from ..models import Appeal, AuditLog, User
from ..vocabulary import APPEALABLE, AppealStatus
from .base import ModeratorView
from .cells import cell, export_username
from .filters import ChoiceFilter, date_filters, username_filters

Appellant = User.alias("appellant")
Decider = User.alias("decider")
# open appeals first: 0 for open, 1 for decided
OPEN_FIRST = Case(None, [(Appeal.status == AppealStatus.OPEN.value, 0)], 1)


class AppealView(ModeratorView):
    column_list = ("created", "user", "action", "text", "status")
    column_details_list = ("id", "created", "user", "action", "text", "status")
    column_export_list = ("id", "created", "user", "action_id", "text", "status", "decided_by",
                          "decided_at", "decision")
    column_labels = {"created": "Appealed", "user": "Who", "action": "Action appealed",
                     "text": "What they say", "id": "ID", "action_id": "Audit entry",
                     "decision": "Reason"}
    column_sortable_list = ("created", ("user", Appellant.username), "status")
    column_default_sort = [(OPEN_FIRST.asc(), False), ("created", False)]
    column_searchable_list = (Appeal.text, Appellant.username)
    search_placeholder_text = "Appeal text or username"
    column_filters = (
        ChoiceFilter(Appeal.status, "Status", AppealStatus.values()),
        ChoiceFilter(AuditLog.action, "Action", sorted(APPEALABLE)),
        *username_filters(Appellant.username, "Who"),
        *date_filters(Appeal.created, "Appealed"),
    )
    column_formatters = {"user": cell("user", "user"), "action": cell("appeal_action"),
                         "text": cell("appeal_text"), "status": cell("appeal_status")}
    column_formatters_detail = {"user": cell("user", "user"), "action": cell("appeal_action"),
                                "status": cell("appeal_status")}
    column_formatters_export = {"user": export_username("user"),
                                "decided_by": export_username("decided_by"),
                                "action_id": lambda v, c, m, n: m.action_id}
    reason_placeholder = "Reason (required to reject: the person is told it)"
    danger_actions = ("reject",)

    def get_query(self):
        return (Appeal.select(Appeal, AuditLog, Appellant, Decider)
                .join(AuditLog, on=(Appeal.action == AuditLog.id))
                .switch(Appeal)
                .join(Appellant, on=(Appeal.user == Appellant.id), attr="user")
                .switch(Appeal)
                .join(Decider, JOIN.LEFT_OUTER, on=(Appeal.decided_by == Decider.id),
                      attr="decided_by"))

    def action_applies(self, name, appeal):
        return appeal.is_open and moderation.can_moderate(current_user, appeal.user)

    @action("approve", "Approve", "Approve the selected appeals? Each action appealed is "
            "undone and the person told.")
    def action_approve(self, ids):
        self.apply(moderation.approve_appeal, ids, reason=self.reason())

    @action("reject", "Reject", "Reject the selected appeals? The person is told your reason.")
    def action_reject(self, ids):
        reason = self.reason()
        if not reason:
            flash("Rejecting an appeal needs a reason: type it in the reason box.", "error")
            return
        self.apply(moderation.reject_appeal, ids, reason)
