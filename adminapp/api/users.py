"""People: a profile with its counts, its messages, and following them."""
from apiflask import abort

from .. import feeds, models, pagination
from ..limits import limit
from ..models import User
from . import bp
from .auth import token_auth, token_optional, token_key, viewer
from .errors import refused
from .pages import page_answer, page_args
from .schemas import (MessagePage, PageQuery, UserOut, UserPage, message_json, user_brief,
                      user_json)


def user_or_404(username):
    user = User.lookup(username)
    if user is None:
        abort(404, f"There is nobody called {username!r}.")
    return user


@bp.get("/users/<username>")
@token_optional
@bp.output(UserOut)
def profile(username):
    """A profile with its counts (as User.profile reads it for the site's page)."""
    user = User.profile(username, viewer())
    if user is None:
        abort(404, f"There is nobody called {username!r}.")
    return user_json(user)


@bp.get("/users/<username>/messages")
@token_optional
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(MessagePage)
def messages(username, query):
    """A person's visible messages, newest first (none while they are suspended)."""
    user = user_or_404(username)
    page = feeds.profile_page(viewer(), user, page_args(query), query["limit"])
    return page_answer(page, query, message_json, ready=True)


def people(query, page_query):
    """A keyset page (A to Z) of the active users of `query`, as the site's lists."""
    keyset = pagination.users(User)
    page = keyset.page(query.where(User.suspended_at.is_null()), page_args(page_query, keyset),
                       page_query["limit"])
    return page_answer(page, page_query, user_brief, ready=True)


@bp.get("/users/<username>/followers")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(UserPage)
def followers(username, query):
    """Who follows this person, A to Z (active accounts)."""
    return people(user_or_404(username).followers(), query)


@bp.get("/users/<username>/following")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(UserPage)
def following(username, query):
    """Whom this person follows, A to Z (active accounts)."""
    return people(user_or_404(username).following(), query)


@bp.put("/users/<username>/follow")
@bp.auth_required(token_auth, roles=["write"])
@limit("FOLLOW_LIMIT_PER_USER", token_key,
       "You are following people too fast. Wait a little and try again.", methods=["PUT"])
@bp.output({}, status_code=204)
@bp.doc(responses={409: "Refused: yourself, a suspended account, or a block between you"})
def follow(username):
    """Follow a person (idempotent; scope write)."""
    user = user_or_404(username)
    try:
        token_auth.current_user.follow(user)
    except models.ValidationError as e:
        refused(e)
    return ""


@bp.delete("/users/<username>/follow")
@bp.auth_required(token_auth, roles=["write"])
@bp.output({}, status_code=204)
def unfollow(username):
    """Stop following a person (idempotent; scope write)."""
    token_auth.current_user.unfollow(user_or_404(username))
    return ""
