"""/admin/message/: every message, hidden ones included; hide, unhide, delete."""
from flask_admin.actions import action
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import JOIN, SQL, fn

from .. import moderation
from ..models import AuditLog, Message, Report, User
from .base import ModeratorView
from .filters import ExistsFilter, IdEquals, IsSetFilter, date_filters, username_filters
from .formatters import (DETAIL_TYPE_FORMATTERS, EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS,
                         JoinedQueryMixin, message_html, reason_from_form, user_column,
                         username_export, when)

HiddenBy = User.alias("hidden_by_user")
Actor = User.alias("actor")
COUNT = fn.COUNT(SQL("*"))


def reports_on(message_id, open_only=False):
    """Subquery: the reports on the message whose id is `message_id` (a column or a value)."""
    query = Report.select(SQL("1")).where(Report.message == message_id)
    return query.where(Report.resolved_at.is_null()) if open_only else query


def _content(view, context, model, name):
    return message_html(model, 140, details=False)


def _status(view, context, model, name):
    if model.hidden_at is None:
        return Markup('<span class="text-success">visible</span>')
    by = f" by {model.hidden_by.username}" if model.hidden_by else ""
    return Markup('<span class="badge badge-secondary">hidden</span> '
                  f'<small title="{escape(when(model.hidden_at))}{escape(by)}">'
                  f'{escape(model.hidden_reason or "")}</small>')


def _reports(view, context, model, name):
    if not model.report_count:
        return ""
    url = view.get_url("report.index_view", flt0_message_id_equals=model.id)
    if model.open_report_count:
        text = Markup(f'<span class="badge badge-danger">{model.open_report_count} open</span>')
    else:
        text = Markup('<span class="text-muted">resolved</span>')
    if model.report_count != model.open_report_count:
        text += Markup(f' <small class="text-muted">of {model.report_count}</small>')
    return Markup(f'<a href="{escape(url)}" title="Reports on this message">{text}</a>')


def _status_export(view, context, model, name):
    return "hidden" if model.hidden_at else "visible"


class MessageView(JoinedQueryMixin, ModeratorView):
    column_list = ("pub_date", "user", "content", "hidden_at", "report_count")
    # the content is shown above the fields, in full (templates/admin/message_details.html)
    column_details_list = ("id", "pub_date", "user", "hidden_at", "hidden_by", "report_count")
    column_export_list = ("id", "pub_date", "user", "content", "hidden_at", "hidden_at_time",
                          "hidden_by", "hidden_reason", "report_count", "open_report_count")
    column_labels = {"pub_date": "Posted", "user": "Author", "hidden_at": "Status",
                     "hidden_at_time": "Hidden at", "hidden_by": "Hidden by",
                     "hidden_reason": "Reason", "report_count": "Reports",
                     "open_report_count": "Open reports", "id": "ID"}
    # report_count is not sortable on purpose: sorting a million messages by a
    # per-row subquery is the report queue's job (/admin/report/)
    column_sortable_list = ("pub_date", ("user", User.username), "hidden_at")
    column_default_sort = ("pub_date", True)
    column_searchable_list = ("content", User.username)
    column_filters = (
        *username_filters(User.username, "Author"),
        IsSetFilter(Message.hidden_at, "Hidden"),
        ExistsFilter(Message.id, "Reported", reports_on),
        ExistsFilter(Message.id, "Open reports", lambda m: reports_on(m, open_only=True)),
        *date_filters(Message.pub_date, "Posted"),
        IdEquals(Message.id, "Message ID"),
    )
    named_filter_urls = True
    column_formatters = {"user": user_column("user"), "content": _content,
                         "hidden_at": _status, "hidden_by": user_column("hidden_by"),
                         "report_count": _reports}
    column_formatters_detail = {"user": user_column("user"), "hidden_at": _status,
                                "hidden_by": user_column("hidden_by"), "report_count": _reports}
    column_formatters_export = {"user": username_export("user"), "hidden_at": _status_export,
                                "hidden_at_time": lambda v, c, m, n: m.hidden_at,
                                "hidden_by": username_export("hidden_by")}
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    details_template = "admin/message_details.html"
    list_template = "admin/moderation_list.html"
    reason_placeholder = "Reason for hide/unhide/delete (optional)"
    export_max_rows = 0  # every matching row, streamed
    admin_actions = ("delete",)

    def get_query(self):
        reports = Report.select(COUNT).where(Report.message == Message.id)
        open_reports = reports.where(Report.resolved_at.is_null())
        return (Message.select(Message, User, HiddenBy, reports.alias("report_count"),
                               open_reports.alias("open_report_count"))
                .join(User, on=(Message.user == User.id))
                .switch(Message)
                .join(HiddenBy, JOIN.LEFT_OUTER, on=(Message.hidden_by == HiddenBy.id)))

    danger_actions = ("hide", "delete")

    def action_applies(self, name, message):
        if not moderation.can_moderate(current_user, message.user):
            return False
        return {"hide": not message.is_hidden, "unhide": message.is_hidden}.get(name, True)

    def is_action_allowed(self, name):
        # our "delete" runs moderation.delete_message, not Flask-Admin's raw delete
        # (which can_delete=False turns off): admins only
        if name == "delete":
            return current_user.is_admin
        return super().is_action_allowed(name)

    def details_extra(self, message):
        """The reports on the message and its audit history: two queries."""
        Reporter = User.alias("reporter")
        reports = (Report.select(Report, Reporter)
                   .join(Reporter, on=(Report.reporter == Reporter.id))
                   .where(Report.message == message.id)
                   .order_by(Report.created.desc(), Report.id.desc()).limit(50))
        history = (AuditLog.select(AuditLog, Actor)
                   .join(Actor, JOIN.LEFT_OUTER, on=(AuditLog.actor == Actor.id))
                   .where((AuditLog.target_model == "message")
                          & (AuditLog.target_id == str(message.id)))
                   .order_by(AuditLog.created.desc(), AuditLog.id.desc()).limit(20))
        return {"reports": list(reports), "history": list(history)}

    @action("hide", "Hide", "Hide the selected messages from every public page?")
    def action_hide(self, ids):
        self.apply(moderation.hide_message, ids,
                   reason=reason_from_form("Hidden by a moderator from the back office"))

    @action("unhide", "Unhide", "Show the selected messages again?")
    def action_unhide(self, ids):
        self.apply(moderation.unhide_message, ids, reason=reason_from_form(None))

    @action("delete", "Delete for good",
            "Delete the selected messages and the reports on them? This cannot be undone.")
    def action_delete(self, ids):
        self.apply(moderation.delete_message, ids, reason=reason_from_form(None))
