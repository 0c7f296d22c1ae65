"""Your notifications, newest first: reading them here marks them read, as opening the
site's /notifications/ page does (the answer still says which ones were new)."""
from .. import feeds
from . import bp
from .auth import token_auth
from .pages import page_answer, page_args
from .schemas import NotificationPage, PageQuery


def notification_json(notice, root=None):
    """A feeds.NoticeRow as the API's notification (`root` unused: its message is an id)."""
    return {"id": notice.id, "kind": notice.kind, "actor": notice.actor,
            "message": notice.message_id, "text": notice.text, "created_at": notice.created,
            "unread": notice.is_unread}


@bp.get("/notifications")
@bp.auth_required(token_auth, roles=["read"])
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(NotificationPage)
def notifications(query):
    """Mentions, replies, follows, likes and the moderators' decisions about you, newest
    first (scope read); reading them marks them all read, as the site's page does."""
    user = token_auth.current_user
    page = feeds.notifications_page(user, page_args(query), query["limit"])
    if user.unread_count:  # no write when there is nothing unread
        user.mark_notifications_read()
    return page_answer(page, query, notification_json)
