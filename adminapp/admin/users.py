"""/admin/user/: accounts, their standing, and the role changes admins make.

Never shows the password hash: every column list is explicit.
Role changes: admins may edit the role field, and the save goes through
moderation.set_role (no raw write); moderators get no edit page at all.
"""
from flask import flash, has_request_context
from flask_admin.actions import action
from flask_admin.form import BaseForm
from flask_login import current_user
from peewee import SQL, fn
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from .. import moderation
from ..models import AuditLog, Message, Report, User
from ..vocabulary import Limits, Role
from .base import ModeratorView
from .cells import cell, export_value
from .filters import ChoiceFilter, IsSetFilter, date_filters

COUNT = fn.COUNT(SQL("*"))


class RoleForm(BaseForm):
    """The only thing an admin edits on an account; saved by moderation.set_role."""
    role = SelectField("Role", choices=Role.options())
    reason = StringField("Reason (kept in the audit log)",
                         validators=[Optional(), Length(max=Limits.REASON_MAX)])


class UserView(ModeratorView):
    column_list = ("username", "email", "role", "suspended_at", "join_date", "written_count",
                   "strike_count")
    column_details_list = ("id", "username", "email", "role", "suspended_at", "join_date", "bio",
                           "written_count", "strike_count")
    column_export_list = ("id", "username", "email", "role", "status", "suspended_since",
                          "join_date", "written_count", "strike_count")
    column_labels = {"suspended_at": "Status", "join_date": "Joined", "written_count": "Messages",
                     "id": "ID", "suspended_since": "Suspended since", "strike_count": "Strikes"}
    column_sortable_list = ("username", "email", "role", "suspended_at", "join_date",
                            ("written_count", SQL("written_count")))
    column_default_sort = ("join_date", True)
    # searched by prefix through the lower() indexes (search_query), not LIKE '%...%'
    column_searchable_list = ("username", "email")
    search_placeholder_text = "Start of the username or email"
    column_filters = (
        ChoiceFilter(User.role, "Role", Role.values()),
        IsSetFilter(User.suspended_at, "Suspended"),
        *date_filters(User.join_date, "Joined"),
        *date_filters(User.suspended_until, "Suspension ends"),
    )
    column_formatters = {"username": cell("user_link"), "suspended_at": cell("user_status"),
                         "written_count": cell("user_messages")}
    column_formatters_detail = {"suspended_at": cell("user_status"),
                                "written_count": cell("user_messages")}
    column_formatters_export = {
        "status": lambda v, c, m, n: "suspended" if m.suspended_at else "active",
        "suspended_since": export_value("suspended_at"),
    }
    column_descriptions = {"written_count": "All their messages, hidden ones included",
                           "strike_count": "Warnings they have had"}
    details_template = "admin/user_details.html"
    edit_template = "admin/user_edit.html"
    reason_placeholder = "Reason for warn/suspend/restore/role (a warning needs one)"
    admin_actions = ("set_moderator", "set_user")
    danger_actions = ("suspend",)
    form = RoleForm  # the edit page: the role, and a reason for the audit log

    @property
    def can_edit(self):
        return has_request_context() and current_user.is_authenticated and current_user.is_admin

    def action_applies(self, name, user):
        if not moderation.can_moderate(current_user, user):
            return False
        return {"suspend": not user.is_suspended, "restore": user.is_suspended,
                "set_moderator": user.role == Role.USER, "set_user": user.role == Role.MODERATOR
                }.get(name, True)

    def get_query(self):
        return User.with_stats().select_extend(AuditLog.strikes_of(User.id).alias("strike_count"))

    def search_query(self, query, text):
        """The accounts whose username or email starts with each word of `text` (any
        case), from the lower(username) and lower(email) indexes: a prefix is what an
        index can read, where LIKE '%...%' read every account."""
        for word in text.split()[:5]:
            query = query.where(User.starts_with(User.username, word)
                                | User.starts_with(User.email, word))
        return query, None

    def update_model(self, form, model):
        """Change the role through moderation.set_role; False (and a flash) when refused."""
        try:
            moderation.set_role(current_user._get_current_object(), model, form.role.data,
                                reason=form.reason.data or "Role changed in the back office")
        except moderation.NotAllowed as e:
            flash(str(e), "error")
            return False
        return True

    def details_extra(self, user):
        """What the details page shows beside the fields (whose query, User.with_stats, has
        the counts): three queries, four for staff, whatever the history."""
        reports_against = (Report.select(COUNT).join(Message, on=(Report.message == Message.id))
                           .where(Message.user == user.id).scalar())
        recent = (Message.select().where(Message.user == user.id)
                  .order_by(Message.pub_date.desc(), Message.id.desc()).limit(10))
        done = list(AuditLog.done_by(user)) if user.is_moderator else []
        return {"reports_against": reports_against, "recent": list(recent),
                "history": list(AuditLog.history_of(user)), "done": done}

    @action("suspend", "Suspend", "Suspend the selected users? They cannot log in, post or "
            "follow, and their messages leave the public pages until restored.")
    def action_suspend(self, ids):
        self.apply(moderation.suspend_user, ids,
                   reason=self.reason("Suspended by a moderator from the back office"))

    @action("warn", "Warn", "Warn the selected users? Each gets a strike and is told the reason.")
    def action_warn(self, ids):
        self.apply(moderation.warn_user, ids, reason=self.reason())

    @action("restore", "Restore", "Restore the selected users?")
    def action_restore(self, ids):
        self.apply(moderation.restore_user, ids, reason=self.reason())

    @action("set_moderator", "Make moderator", "Make the selected users moderators?")
    def action_set_moderator(self, ids):
        self.apply(moderation.set_role, ids, Role.MODERATOR.value, reason=self.reason())

    @action("set_user", "Make plain user", "Make the selected users plain users?")
    def action_set_user(self, ids):
        self.apply(moderation.set_role, ids, Role.USER.value, reason=self.reason())
