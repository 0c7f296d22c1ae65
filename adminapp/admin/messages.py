"""/admin/message/: every message, hidden ones included; hide, unhide, delete for good."""
from flask_admin.actions import action
from flask_login import current_user
from peewee import JOIN, SQL, fn

from .. import db, moderation, search
from ..models import AuditLog, Message, MessageIndex, MessageStats, Report, User
from .base import ModeratorView
from .cells import cell, export_username, export_value
from .filters import ExistsFilter, IdEquals, IsSetFilter, date_filters, username_filters

HiddenBy = User.alias("hidden_by_user")
REPLIES_SHOWN = 50  # on a message's details page, oldest first
# what the message list reads of a message (its mentions are the public rows' business)
MESSAGE_FIELDS = [f for f in Message._meta.sorted_fields if f.name != "mentions"]
PERSON_FIELDS = (User.id, User.username, User.email, User.role, User.suspended_at,
                 User.suspended_until)
COUNT = fn.COUNT(SQL("*"))


def reports_on(message_id, open_only=False):
    """Subquery: the reports on the message whose id is `message_id` (a column or a value)."""
    query = Report.select(SQL("1")).where(Report.message == message_id)
    return query.where(Report.resolved_at.is_null()) if open_only else query


class MessageView(ModeratorView):
    column_list = ("pub_date", "user", "content", "hidden_at", "reply_count", "like_count",
                   "report_count")
    # the content is shown above the fields, in full (templates/admin/message_details.html)
    column_details_list = ("id", "pub_date", "user", "hidden_at", "hidden_by", "reply_count",
                           "like_count", "report_count")
    column_export_list = ("id", "pub_date", "user", "content", "in_reply_to", "hidden_at",
                          "hidden_at_time", "hidden_by", "hidden_reason", "reply_count",
                          "like_count", "report_count", "open_report_count")
    column_labels = {"pub_date": "Posted", "user": "Author", "hidden_at": "Status",
                     "hidden_at_time": "Hidden at", "hidden_by": "Hidden by",
                     "hidden_reason": "Reason", "report_count": "Reports",
                     "open_report_count": "Open reports", "id": "ID", "in_reply_to": "In reply to",
                     "reply_count": "Replies", "like_count": "Likes"}
    # report_count is not sortable on purpose: sorting a million messages by a
    # per-row subquery is the report queue's job (/admin/report/)
    column_sortable_list = ("pub_date", ("user", User.username), "hidden_at")
    column_default_sort = ("pub_date", True)
    # searched through the full-text index (search_query), not LIKE on each column
    column_searchable_list = ("content",)
    search_placeholder_text = "Words in the message (all of them), @name for its author"
    column_filters = (
        *username_filters(User.username, "Author"),
        IsSetFilter(Message.hidden_at, "Hidden"),
        ExistsFilter(Message.id, "Reported", reports_on),
        ExistsFilter(Message.id, "Open reports", lambda m: reports_on(m, open_only=True)),
        *date_filters(Message.pub_date, "Posted"),
        IdEquals(Message.id, "Message ID"),
    )
    column_formatters = {"user": cell("user", "user"),
                         "content": cell("message", length=140, details=False),
                         "hidden_at": cell("message_status"), "hidden_by": cell("user", "hidden_by"),
                         "report_count": cell("message_reports")}
    column_formatters_export = {"user": export_username("user"),
                                "hidden_at": lambda v, c, m, n: "hidden" if m.hidden_at else "visible",
                                "hidden_at_time": export_value("hidden_at"),
                                "hidden_by": export_username("hidden_by"),
                                "in_reply_to": lambda v, c, m, n: m.in_reply_to_id or ""}
    details_template = "admin/message_details.html"
    reason_placeholder = "Reason for hide/unhide/delete (optional)"
    admin_actions = ("delete_message",)
    danger_actions = ("hide", "delete_message")

    def get_query(self):
        reports = Report.select(COUNT).where(Report.message == Message.id)
        open_reports = reports.where(Report.resolved_at.is_null())
        # of the people, what the cells and the rules read (not a password hash or a bio:
        # a list row is rendered once per distinct content, keyed on all it holds)
        return (Message.select(*MESSAGE_FIELDS, *PERSON_FIELDS, HiddenBy.id, HiddenBy.username,
                               reports.alias("report_count"),
                               open_reports.alias("open_report_count"),
                               fn.COALESCE(MessageStats.replies, 0).alias("reply_count"),
                               fn.COALESCE(MessageStats.likes, 0).alias("like_count"))
                .join(User, on=(Message.user == User.id))
                .switch(Message)
                .join(HiddenBy, JOIN.LEFT_OUTER, on=(Message.hidden_by == HiddenBy.id))
                .join_from(Message, MessageStats, JOIN.LEFT_OUTER,
                           on=(MessageStats.message == Message.id)))

    def search_query(self, query, text):
        """The messages holding every word of `text` through the full-text index, by the
        authors it names as @name (from the lower(username) index); none when it has
        neither. On SQLite the FTS5 table is joined and read newest first by rowid (the
        message id, posting order), which stops after a page: sorting every match by date
        took 1.6 s for a word in 100,000 messages. On PostgreSQL the tsvector's GIN index,
        or the date index walked with the test on each row, as the planner sees fit."""
        names = [w[1:] for w in text.split() if w.startswith("@") and len(w) > 1]
        words = search.terms(" ".join(w for w in text.split() if not w.startswith("@")))
        if not names and not words:
            return query.where(Message.matching([])), None
        if names:
            named = User.select(User.id).where(
                fn.LOWER(User.username).in_([name.lower() for name in names[:10]]))
            query = query.where(Message.user.in_(named))
        if not words:
            return query, None
        if not db.is_sqlite():
            return query.where(Message.matching(words)), None
        return ((query.join_from(Message, MessageIndex, on=(MessageIndex.rowid == Message.id))
                 .where(MessageIndex.match(search.fts5_query(words)))),
                [(MessageIndex.rowid.desc(), True)])

    def action_applies(self, name, message):
        if not moderation.can_moderate(current_user, message.user):
            return False
        return {"hide": not message.is_hidden, "unhide": message.is_hidden}.get(name, True)

    def details_extra(self, message):
        """The reports on the message, its audit history, the message it answers and its
        first replies (hidden ones too): four queries."""
        Reporter = User.alias("reporter")
        reports = (Report.select(Report, Reporter)
                   .join(Reporter, on=(Report.reporter == Reporter.id))
                   .where(Report.message == message.id)
                   .order_by(Report.created.desc(), Report.id.desc()).limit(50))
        thread = (Message.select(Message, User).join(User, on=(Message.user == User.id)))
        parent = thread.where(Message.id == message.in_reply_to_id).first() \
            if message.in_reply_to_id else None
        replies = (thread.where(Message.in_reply_to == message.id)
                   .order_by(Message.pub_date, Message.id).limit(REPLIES_SHOWN))
        return {"reports": list(reports), "history": list(AuditLog.history_of(message)),
                "parent": parent, "replies": list(replies)}

    @action("hide", "Hide", "Hide the selected messages from every public page?")
    def action_hide(self, ids):
        self.apply(moderation.hide_message, ids,
                   reason=self.reason("Hidden by a moderator from the back office"))

    @action("unhide", "Unhide", "Show the selected messages again?")
    def action_unhide(self, ids):
        self.apply(moderation.unhide_message, ids, reason=self.reason())

    # not "delete": that name is Flask-Admin's own raw delete, which can_delete=False turns off
    @action("delete_message", "Delete for good",
            "Delete the selected messages and the reports on them? This cannot be undone.")
    def action_delete_message(self, ids):
        self.apply(moderation.delete_message, ids, reason=self.reason())
