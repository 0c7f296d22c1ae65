"""/admin/relationship/: who follows whom; a moderator can remove a follow.

Relationship has two foreign keys to User, which Flask-Admin's peewee backend
cannot join by itself ("More than one foreign key"): get_query() joins two
aliases, and search, sort and filters name the aliases' fields.
"""
from flask_admin.actions import action
from flask_login import current_user

from .. import moderation
from ..models import Relationship, User
from .base import ModeratorView
from .cells import cell, export_username
from .filters import date_filters, username_filters

Follower = User.alias("follower")
Followed = User.alias("followed")


class RelationshipView(ModeratorView):
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
    search_placeholder_text = "Follower or followed username"
    column_filters = (
        *username_filters(Follower.username, "Follower"),
        *username_filters(Followed.username, "Follows"),
        *date_filters(Relationship.created, "Since"),
    )
    column_formatters = {"from_user": cell("user", "from_user"), "to_user": cell("user", "to_user")}
    column_formatters_export = {"from_user": export_username("from_user"),
                                "to_user": export_username("to_user")}
    reason_placeholder = "Reason for removing (optional)"
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
        self.apply(moderation.remove_follow, ids, reason=self.reason())
