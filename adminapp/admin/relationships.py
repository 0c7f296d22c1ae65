"""/admin/relationship/: who follows whom; a moderator can remove a follow.

Relationship has two foreign keys to User, which Flask-Admin's peewee backend
cannot join by itself ("More than one foreign key"): get_query() joins two
aliases, and search, sort and filters name the aliases' fields.
"""
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import (DateTimeBetweenFilter, DateTimeGreaterFilter,
                                                DateTimeSmallerFilter)
from flask_login import current_user

from .. import moderation
from ..models import Relationship, User
from .base import ModeratorView
from .filters import username_filters
from .formatters import (DETAIL_TYPE_FORMATTERS, EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS,
                         JoinedQueryMixin, reason_from_form, user_column, username_export)

Follower = User.alias("follower")
Followed = User.alias("followed")


class RelationshipView(JoinedQueryMixin, ModeratorView):
    column_list = ("from_user", "to_user", "created")
    column_details_list = ("id", "from_user", "to_user", "created")
    column_export_list = ("id", "from_user", "to_user", "created")
    column_labels = {"from_user": "Follower", "to_user": "Follows", "created": "Since",
                     "id": "ID"}
    column_sortable_list = (("from_user", Follower.username), ("to_user", Followed.username),
                            "created")
    # newest first by primary key: "created" has no index (and is NULL on old rows)
    column_default_sort = ("id", True)
    column_searchable_list = (Follower.username, Followed.username)
    column_filters = (
        *username_filters(Follower.username, "Follower"),
        *username_filters(Followed.username, "Follows"),
        DateTimeGreaterFilter(Relationship.created, "Since"),
        DateTimeSmallerFilter(Relationship.created, "Since"),
        DateTimeBetweenFilter(Relationship.created, "Since"),
    )
    named_filter_urls = True
    column_formatters = {"from_user": user_column("from_user"), "to_user": user_column("to_user")}
    column_formatters_export = {"from_user": username_export("from_user"),
                                "to_user": username_export("to_user")}
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    list_template = "admin/moderation_list.html"
    reason_placeholder = "Reason for removing (optional)"
    search_placeholder_text = "Follower or followed username"
    export_max_rows = 0  # every matching row, streamed

    details_template = "admin/details_with_actions.html"
    danger_actions = ("remove",)

    def action_applies(self, name, relationship):
        return moderation.can_moderate(current_user, relationship.from_user)

    def get_query(self):
        return (Relationship.select(Relationship, Follower, Followed)
                .join(Follower, on=(Relationship.from_user == Follower.id))
                .switch(Relationship)
                .join(Followed, on=(Relationship.to_user == Followed.id)))

    @action("remove", "Remove follow", "Remove the selected follows?")
    def action_remove(self, ids):
        self.apply(moderation.remove_follow, ids, reason=reason_from_form(None))
