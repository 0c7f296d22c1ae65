"""/admin/report/: the report queue, open first and oldest first.

A report points at a message (whose author is a User) and was filed by a
reporter (another User), and may have been resolved by a third: get_query()
joins all of them through aliases, so the queue costs the same few queries
at any page size.
"""
from flask_admin.actions import action
from markupsafe import Markup, escape
from flask_login import current_user
from peewee import JOIN

from .. import moderation
from ..models import REPORT_CATEGORIES, Message, Report, User
from .base import ModeratorView
from .filters import ChoiceFilter, IdEquals, IsSetFilter, date_filters, username_filters
from .formatters import (DETAIL_TYPE_FORMATTERS, EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS,
                         JoinedQueryMixin, excerpt, message_html, reason_from_form, user_html,
                         when)

Author = User.alias("author")
Reporter = User.alias("reporter")
Resolver = User.alias("resolver")

OUTCOMES = {"hide": "message hidden", "dismiss": "dismissed"}


def _message(view, context, model, name):
    html = message_html(model.message, 100 if name == "message" else 280)
    if model.message.hidden_at is not None:
        html = Markup('<span class="badge badge-secondary" title="The message is hidden">'
                      'hidden</span> ') + html
    return html


def _author(view, context, model, name):
    return user_html(model.message.user)


def _reporter(view, context, model, name):
    return user_html(model.reporter)


def _note(view, context, model, name):
    return Markup(f'<span title="{escape(model.note)}">{escape(excerpt(model.note, 60))}</span>')


def _status(view, context, model, name):
    if model.resolved_at is None:
        return Markup('<span class="badge badge-danger">open</span>')
    by = model.resolved_by.username if model.resolved_by else "someone"
    outcome = OUTCOMES.get(model.resolution, model.resolution or "resolved")
    return Markup(f'<span class="badge badge-light">{escape(outcome)}</span> '
                  f'<small>by {escape(by)}, {escape(when(model.resolved_at))}</small>')


def _status_export(view, context, model, name):
    return "open" if model.resolved_at is None else (model.resolution or "resolved")


class ReportView(JoinedQueryMixin, ModeratorView):
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
        ChoiceFilter(Report.category, "Category", REPORT_CATEGORIES),
        ChoiceFilter(Report.resolution, "Outcome", tuple(OUTCOMES)),
        *username_filters(Reporter.username, "Reporter"),
        *username_filters(Author.username, "Author"),
        IdEquals(Report.message, "Message ID"),
        *date_filters(Report.created, "Reported"),
    )
    named_filter_urls = True
    column_formatters = {"message": _message, "message_full": _message, "author": _author,
                         "reporter": _reporter, "note": _note, "resolved_at": _status}
    column_formatters_export = {
        "message_id": lambda v, c, m, n: m.message.id,
        "message_content": lambda v, c, m, n: m.message.content,
        "author": lambda v, c, m, n: m.message.user.username,
        "reporter": lambda v, c, m, n: m.reporter.username,
        "resolved_at": _status_export,
        "resolved_at_time": lambda v, c, m, n: m.resolved_at,
        "resolved_by": lambda v, c, m, n: m.resolved_by.username if m.resolved_by else "",
    }
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    list_template = "admin/moderation_list.html"
    reason_placeholder = "Reason (optional)"
    export_max_rows = 0  # every matching row, streamed

    details_template = "admin/details_with_actions.html"
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
        self.apply(moderation.resolve_report, ids, "hide", reason=reason_from_form(None))

    @action("dismiss", "Dismiss", "Dismiss these reports and leave the messages as they are?")
    def action_dismiss(self, ids):
        self.apply(moderation.resolve_report, ids, "dismiss", reason=reason_from_form(None))
