"""/admin/report/: the report queue, open first and oldest first.

A report points at a message (whose author is a User) and was filed by a
reporter (another User), and may have been resolved by a third: get_query()
joins all of them through aliases, so the queue costs the same few queries
at any page size.
"""
from flask_admin.actions import action
from flask_login import current_user
from peewee import JOIN

from .. import moderation
from ..models import Message, Report, User
from ..vocabulary import Category, Outcome
from .base import ModeratorView
from .cells import cell, export_value
from .filters import ChoiceFilter, IdEquals, IsSetFilter, date_filters, username_filters

Author = User.alias("author")
Reporter = User.alias("reporter")
Resolver = User.alias("resolver")


def _status_export(view, context, model, name):
    return "open" if model.resolved_at is None else (model.resolution or "resolved")


class ReportView(ModeratorView):
    column_list = ("created", "category", "message", "author", "reporter", "note", "resolved_at")
    column_details_list = ("id", "created", "category", "message_full", "author", "reporter",
                           "note", "resolved_at")
    column_export_list = ("id", "created", "category", "message_id", "message_content",
                          "author", "reporter", "note", "resolved_at", "resolved_at_time",
                          "resolved_by")
    column_labels = {"created": "Reported", "resolved_at": "Status", "message_full": "Message",
                     "resolved_at_time": "Resolved at", "resolved_by": "Resolved by",
                     "message_id": "Message ID", "message_content": "Message", "id": "ID"}
    column_sortable_list = ("created", "category", ("author", Author.username),
                            ("reporter", Reporter.username), "resolved_at")
    # The queue: open reports first (NULL resolved_at), then oldest first; read in
    # index order from report(resolved_at, created).
    column_default_sort = [(Report.resolved_at.asc(nulls="first"), False), ("created", False)]
    column_searchable_list = (Report.note, Message.content, Reporter.username, Author.username)
    search_placeholder_text = "Note, message, reporter or author"
    column_filters = (
        IsSetFilter(Report.resolved_at, "Resolved"),
        ChoiceFilter(Report.category, "Category", Category.values()),
        ChoiceFilter(Report.resolution, "Outcome", Outcome.values()),
        *username_filters(Reporter.username, "Reporter"),
        *username_filters(Author.username, "Author"),
        IdEquals(Report.message, "Message ID"),
        *date_filters(Report.created, "Reported"),
    )
    column_formatters = {"message": cell("report_message", length=100),
                         "message_full": cell("report_message", length=280),
                         "author": cell("user", "message.user"), "reporter": cell("user", "reporter"),
                         "note": cell("report_note"), "resolved_at": cell("report_status")}
    column_formatters_export = {
        "message_id": lambda v, c, m, n: m.message.id,
        "message_content": lambda v, c, m, n: m.message.content,
        "author": lambda v, c, m, n: m.message.user.username,
        "reporter": lambda v, c, m, n: m.reporter.username,
        "resolved_at": _status_export,
        "resolved_at_time": export_value("resolved_at"),
        "resolved_by": lambda v, c, m, n: m.resolved_by.username if m.resolved_by else "",
    }
    reason_placeholder = "Reason (optional)"
    danger_actions = ("hide_message",)

    def action_applies(self, name, report):
        if report.resolved_at is not None:
            return False
        return name != "hide_message" or moderation.can_moderate(current_user, report.message.user)

    def get_query(self):
        return (Report.select(Report, Message, Author, Reporter, Resolver)
                .join(Message, on=(Report.message == Message.id))
                .join(Author, on=(Message.user == Author.id))
                .switch(Report)
                .join(Reporter, on=(Report.reporter == Reporter.id))
                .switch(Report)
                .join(Resolver, JOIN.LEFT_OUTER, on=(Report.resolved_by == Resolver.id)))

    @action("hide_message", "Hide the message",
            "Hide the reported messages and close these reports?")
    def action_hide_message(self, ids):
        self.apply(moderation.resolve_report, ids, Outcome.HIDE.value, reason=self.reason())

    @action("dismiss", "Dismiss", "Dismiss these reports and leave the messages as they are?")
    def action_dismiss(self, ids):
        self.apply(moderation.resolve_report, ids, Outcome.DISMISS.value, reason=self.reason())
