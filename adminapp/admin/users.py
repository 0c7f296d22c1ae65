"""/admin/user/: accounts, their standing, and the role changes admins make.

Never shows the password hash: every column list is explicit.
Role changes: admins may edit the role field, and the save goes through
moderation.set_role (no raw write); moderators get no edit page at all.
"""
from flask import flash, has_request_context, url_for
from flask_admin.actions import action
from flask_admin.form import BaseForm
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import JOIN, SQL, fn
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from .. import moderation
from ..models import ROLES, AuditLog, Message, Relationship, Report, User
from .base import ModeratorView
from .filters import ChoiceFilter, IsSetFilter, date_filters
from .formatters import (DETAIL_TYPE_FORMATTERS, EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS,
                         JoinedQueryMixin, link, public_link, reason_from_form, when)

Actor = User.alias("actor")
COUNT = fn.COUNT(SQL("*"))


class RoleForm(BaseForm):
    """The only thing an admin edits on an account; saved by moderation.set_role."""
    role = SelectField("Role", choices=list(ROLES))
    reason = StringField("Reason (kept in the audit log)", validators=[Optional(), Length(max=200)])


def _username(view, context, model, name):
    return link(view.get_url(".details_view", id=model.id), model.username) + \
        public_link(url_for("public.profile", username=model.username),
                    f"{model.username}'s public profile")


def _status(view, context, model, name):
    if model.suspended_at is None:
        return Markup('<span class="text-success">active</span>')
    return Markup(f'<span class="badge badge-warning">suspended</span> '
                  f'<small>since {escape(when(model.suspended_at))}</small>')


def _messages(view, context, model, name):
    url = view.get_url("message.index_view", flt0_author_equals=model.username)
    return link(url, model.message_count, title=f"Messages by {model.username}")


class UserView(JoinedQueryMixin, ModeratorView):
    column_list = ("username", "email", "role", "suspended_at", "join_date", "message_count")
    column_details_list = ("id", "username", "email", "role", "suspended_at", "join_date", "bio",
                           "message_count")
    column_export_list = ("id", "username", "email", "role", "status", "suspended_since",
                          "join_date", "message_count")
    column_labels = {"suspended_at": "Status", "join_date": "Joined", "message_count": "Messages",
                     "id": "ID", "suspended_since": "Suspended since"}
    column_sortable_list = ("username", "email", "role", "suspended_at", "join_date",
                            ("message_count", SQL("message_count")))
    column_default_sort = ("join_date", True)
    column_searchable_list = ("username", "email")
    column_filters = (
        ChoiceFilter(User.role, "Role", ROLES),
        IsSetFilter(User.suspended_at, "Suspended"),
        *date_filters(User.join_date, "Joined"),
    )
    named_filter_urls = True
    column_formatters = {"username": _username, "suspended_at": _status,
                         "message_count": _messages}
    column_formatters_detail = {"suspended_at": _status, "message_count": _messages}
    column_formatters_export = {
        "status": lambda v, c, m, n: "suspended" if m.suspended_at else "active",
        "suspended_since": lambda v, c, m, n: m.suspended_at,
    }
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    column_descriptions = {"message_count": "All their messages, hidden ones included"}
    details_template = "admin/user_details.html"
    edit_template = "admin/user_edit.html"
    list_template = "admin/moderation_list.html"
    reason_placeholder = "Reason for suspend/restore/role (optional)"
    export_max_rows = 0  # every matching row, streamed
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
                "set_moderator": user.role == "user", "set_user": user.role == "moderator"
                }.get(name, True)

    def get_query(self):
        messages = Message.select(COUNT).where(Message.user == User.id)
        return User.select(User, messages.alias("message_count"))

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
        """What the details page shows beside the fields: three queries (four for staff),
        whatever the history."""
        stats = User.select(
            Relationship.select(COUNT).where(Relationship.to_user == User.id).alias("followers"),
            Relationship.select(COUNT).where(Relationship.from_user == User.id).alias("following"),
            Message.select(COUNT).where((Message.user == User.id)
                                        & Message.hidden_at.is_null(False)).alias("hidden"),
            (Report.select(COUNT).join(Message, on=(Report.message == Message.id))
             .where(Message.user == User.id)).alias("reports_against"),
        ).where(User.id == user.id).dicts().get()
        recent = (Message.select().where(Message.user == user.id)
                  .order_by(Message.pub_date.desc(), Message.id.desc()).limit(10))
        history = (AuditLog.select(AuditLog, Actor)
                   .join(Actor, JOIN.LEFT_OUTER, on=(AuditLog.actor == Actor.id))
                   .where((AuditLog.target_model == "user") & (AuditLog.target_id == str(user.id)))
                   .order_by(AuditLog.created.desc(), AuditLog.id.desc()).limit(20))
        done = []
        if user.is_moderator:
            done = list(AuditLog.select().where(AuditLog.actor == user.id)
                        .order_by(AuditLog.created.desc(), AuditLog.id.desc()).limit(20))
        return {"stats": stats, "recent": list(recent), "history": list(history),
                "done": done}

    @action("suspend", "Suspend", "Suspend the selected users? They cannot log in, post or "
            "follow, and their messages leave the public pages until restored.")
    def action_suspend(self, ids):
        self.apply(moderation.suspend_user, ids,
                   reason=reason_from_form("Suspended by a moderator from the back office"))

    @action("restore", "Restore", "Restore the selected users?")
    def action_restore(self, ids):
        self.apply(moderation.restore_user, ids, reason=reason_from_form(None))

    @action("set_moderator", "Make moderator", "Make the selected users moderators?")
    def action_set_moderator(self, ids):
        self.apply(moderation.set_role, ids, "moderator", reason=reason_from_form(None))

    @action("set_user", "Make plain user", "Make the selected users plain users?")
    def action_set_user(self, ids):
        self.apply(moderation.set_role, ids, "user", reason=reason_from_form(None))
