"""Timelines: the public one and your home timeline, the feeds the site's pages read."""
from .. import feeds
from . import bp
from .auth import token_auth, token_optional, viewer
from .pages import page_answer, page_args
from .schemas import MessagePage, PageQuery, message_json


@bp.get("/timelines/public")
@token_optional
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(MessagePage)
def public_timeline(query):
    """Every visible message, newest first (as the token's user sees it, without one as
    a visitor does)."""
    page = feeds.public_page(viewer(), page_args(query), query["limit"])
    return page_answer(page, query, message_json, ready=True)


@bp.get("/timelines/home")
@bp.auth_required(token_auth, roles=["read"])
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(MessagePage)
def home_timeline(query):
    """Messages of the people you follow, and yours, newest first (scope read)."""
    user = token_auth.current_user
    page = feeds.home_page(user, user.following_count(), page_args(query), query["limit"])
    return page_answer(page, query, message_json, ready=True)
