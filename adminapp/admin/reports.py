"""/admin/report/: the report queue, open first and oldest first.

A report points at a message (whose author is a User) and was filed by a
reporter (another User), and may have been resolved by a third: get_query()
joins all of them through aliases, so the queue costs the same few queries
at any page size.

Each open report's row has its own buttons (templates/admin/report_list.html):
hide the message and resolve, dismiss, warn the author, suspend the author for
7 days, with a reason preset chosen from the report's category. One click, two
for the suspension (its confirmation); they POST to /admin/report/act/, which
calls the verbs of adminapp.moderation like the bulk actions do.
"""
from typing import Callable, NamedTuple

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from peewee import JOIN

from .. import moderation
from ..formatting import parse_id
from ..models import Message, Report, User, clean_reason
from ..vocabulary import REASON_PRESETS, Category, Limits, Outcome
from .base import ModeratorView
from .cells import cell, export_value
from .filters import ChoiceFilter, IdEquals, IsSetFilter, date_filters, username_filters

Author = User.alias("author")
Reporter = User.alias("reporter")
Resolver = User.alias("resolver")

SUSPEND_DAYS = 7  # the row's "Suspend author" button; other lengths: the author's page


class RowButton(NamedTuple):
    """A button on an open report's row: its label, the verb it runs (actor, report,
    reason), whether it needs the row's reason, its confirmation and what is flashed."""
    label: str
    verb: Callable
    needs_reason: bool
    confirmation: str | None
    done: str


def _hide_and_resolve(actor, report, reason):
    return moderation.resolve_report(actor, report, Outcome.HIDE.value, reason=reason)


def _dismiss(actor, report, reason):
    # the row's reason is for a hide, a warning or a suspension: a dismissal tells no author
    return moderation.resolve_report(actor, report, Outcome.DISMISS.value)


def _warn_author(actor, report, reason):
    return moderation.warn_user(actor, report.message.user, reason)


def _suspend_author(actor, report, reason):
    return moderation.suspend_user(actor, report.message.user, reason, days=SUSPEND_DAYS)


ROW_BUTTONS = {
    "hide": RowButton("Hide & resolve", _hide_and_resolve, True, None,
                      "Report {report}: the message is hidden ({reason}) and the report resolved."),
    "dismiss": RowButton("Dismiss", _dismiss, False, None,
                         "Report {report} is dismissed; the message stays."),
    "warn": RowButton("Warn author", _warn_author, True, None, "{author} is warned ({reason})."),
    "suspend": RowButton(f"Suspend author {SUSPEND_DAYS} days", _suspend_author, True,
                         f"Suspend {{author}} for {SUSPEND_DAYS} days?",
                         f"{{author}} is suspended for {SUSPEND_DAYS} days ({{reason}})."),
}


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
    list_template = "admin/report_list.html"
    reason_presets = REASON_PRESETS

    def row_buttons(self, report):
        """The row buttons that apply to `report` for the current user, [(name, label,
        confirmation)]: none once it is resolved or when its author is out of the user's
        reach (the verbs would refuse); no suspension of a suspended author. No query:
        the author is joined."""
        author = report.message.user
        if report.resolved_at is not None or not moderation.can_moderate(current_user, author):
            return []
        return [(name, button.label,
                 button.confirmation and button.confirmation.format(author=author.username))
                for name, button in ROW_BUTTONS.items()
                if not (name == "suspend" and author.is_suspended)]

    @staticmethod
    def preset_for(report):
        """The reason preset the row starts from: its category's (Category.preset)."""
        category = Category.get(report.category)
        return category.preset if category is not None else None

    @expose("/act/", methods=("POST",))
    def act_view(self):
        """Run one row button (`do`) on the report `id` with `reason`; back to the queue.
        400 for an unknown button or a missing or too long reason, 404 for an unknown
        report; a refusal of the verb is flashed."""
        button = ROW_BUTTONS.get(request.form.get("do", ""))
        report_id = parse_id(request.form.get("id", ""))
        if button is None or report_id is None:
            abort(400, description="Unknown report or button.")
        typed = request.form.get("reason", "")
        reason = clean_reason(typed)
        if len(typed) > Limits.REASON_MAX or (button.needs_reason and not reason):
            abort(400, description=f"Choose a reason (at most {Limits.REASON_MAX} characters).")
        report = self.get_one(report_id)
        if report is None:
            abort(404)
        try:
            button.verb(current_user, report, reason)
        except moderation.NotAllowed as e:
            flash(str(e), "error")
        else:
            flash(button.done.format(report=report.id, reason=reason,
                                     author=report.message.user.username), "success")
        return redirect(get_redirect_target() or self.get_url(".index_view"))

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
