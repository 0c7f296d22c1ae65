"""Your notifications, newest first (reading them here does not mark them read)."""
from .. import pagination
from ..models import Notification
from . import bp
from .auth import token_auth
from .pages import page_answer, page_args
from .schemas import NotificationPage, PageQuery


def notification_json(notice):
    actor = getattr(notice, "actor", None)
    return {"id": notice.id, "kind": notice.kind,
            "actor": actor.username if actor is not None else None,
            "message": notice.message_id, "text": notice.text, "created_at": notice.created,
            "unread": notice.is_unread}


@bp.get("/notifications")
@bp.auth_required(token_auth, roles=["read"])
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(NotificationPage)
def notifications(query):
    """Mentions, replies, follows, likes and the moderators' decisions about you (scope read)."""
    user = token_auth.current_user
    page = pagination.notifications(Notification).page(user.notifications(), page_args(query),
                                                       query["limit"])
    return page_answer(page, query, notification_json)
