"""/admin/auditlog/: what every moderator did, newest first. Read-only for everyone.

No create, edit or delete, no actions, admins included (DESIGN.md "Roles");
the model refuses updates and deletes too (AuditLog.save/delete_instance).
"""
import json

from flask import url_for
from markupsafe import Markup, escape
from peewee import JOIN

from ..models import AuditLog, User
from .base import ModeratorView
from .filters import ChoiceFilter, TextEquals, date_filters, username_filters
from .formatters import (DETAIL_TYPE_FORMATTERS, EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS,
                         JoinedQueryMixin, excerpt, link, public_link, user_html)

ACTIONS = ("hide", "unhide", "suspend", "restore", "set_role", "remove_follow",
           "resolve_report", "delete")
TARGETS = ("user", "message", "report", "relationship")
TargetUser = User.alias("target_user")


def target_html(entry):
    """A link to what the entry is about; plain text for what no longer exists."""
    kind, pk, details = entry.target_model, entry.target_id, entry.details or {}
    label = f"{kind} #{pk}"
    if entry.action == "delete" or (kind == "relationship" and entry.action == "remove_follow"):
        gone = excerpt(str(details.get("before") or ""), 60)
        return Markup(f'{escape(label)} <small class="text-muted">({escape(gone)}'
                      f'{" — " if gone else ""}removed)</small>')
    if kind == "user":
        target = getattr(entry, "target_user", None)
        if target is not None and target.id is not None:
            return user_html(target)
        return link(url_for("user.details_view", id=pk), label, title="The user in the back office")
    if kind == "message":
        return link(url_for("message.details_view", id=pk), label, title="Message details") + \
            public_link(url_for("public.message_detail", message_id=pk), "Public page")
    if kind == "report":
        return link(url_for("report.details_view", id=pk), label, title="The report")
    if kind == "relationship":
        return link(url_for("relationship.details_view", id=pk), label)
    return label


def details_html(details):
    """The before → after change, the reason, and any other keys, as a short readable list."""
    details = dict(details or {})
    before, after, reason = details.pop("before", None), details.pop("after", None), \
        details.pop("reason", None)
    parts = []
    if before is not None or after is not None:
        parts.append(f"<span>{escape(excerpt(str(before), 80))}</span> → "
                     f"<b>{escape(excerpt(str(after), 80))}</b>")
    if reason:
        parts.append(f'<i>“{escape(reason)}”</i>')
    for key, value in details.items():
        parts.append(f"{escape(key)}: <code>{escape(json.dumps(value, ensure_ascii=False))}</code>")
    return Markup("<br>".join(parts))


def _details_full(view, context, model, name):
    pretty = json.dumps(model.details, indent=2, ensure_ascii=False, sort_keys=True)
    return details_html(model.details) + \
        Markup(f'<pre class="mt-2 mb-0 small">{escape(pretty)}</pre>')


class AuditLogView(JoinedQueryMixin, ModeratorView):
    can_create = False
    can_edit = False
    can_delete = False
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
        ChoiceFilter(AuditLog.action, "Action", ACTIONS),
        ChoiceFilter(AuditLog.target_model, "Target type", TARGETS),
        TextEquals(AuditLog.target_id, "Target ID"),
        *date_filters(AuditLog.created, "When"),
    )
    named_filter_urls = True
    column_formatters = {"actor": lambda v, c, m, n: user_html(m.actor),
                         "target": lambda v, c, m, n: target_html(m),
                         "details": lambda v, c, m, n: details_html(m.details)}
    column_formatters_detail = {"actor": lambda v, c, m, n: user_html(m.actor),
                                "target": lambda v, c, m, n: target_html(m),
                                "details": _details_full}
    column_formatters_export = {
        "actor": lambda v, c, m, n: m.actor.username if m.actor else "",
        "details": lambda v, c, m, n: json.dumps(m.details, ensure_ascii=False, sort_keys=True),
    }
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    export_max_rows = 0  # every matching row, streamed
    list_template = "admin/moderation_list.html"

    def get_query(self):
        # target_id is text (any model's id): a user target's name comes from a join on
        # its integer value, so a page shows names at no extra query
        user_target = ((AuditLog.target_model == "user")
                       & (TargetUser.id == AuditLog.target_id.cast("INTEGER")))
        return (AuditLog.select(AuditLog, User, TargetUser)
                .join(User, JOIN.LEFT_OUTER, on=(AuditLog.actor == User.id))
                .switch(AuditLog)
                .join(TargetUser, JOIN.LEFT_OUTER, on=user_target, attr="target_user"))

    def is_action_allowed(self, name):
        return False  # not even Flask-Admin's built-in delete

    def get_actions_list(self):
        return [], {}
