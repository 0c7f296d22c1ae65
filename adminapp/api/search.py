"""Search: the messages holding every word of a text, and the people whose name starts
with it, found as the site's /search/ page finds them (feeds.search_results)."""
from .. import feeds, search
from . import bp
from .auth import token_optional, viewer
from .pages import page_answer, page_args
from .schemas import SearchPage, SearchQuery, message_json, user_brief


@bp.get("/search")
@token_optional
@bp.input(SearchQuery, location="query", arg_name="query")
@bp.output(SearchPage)
def search_messages(query):
    """The visible messages holding every word of `q`, newest first (as the token's user
    sees it: blocks respected), and on the first page the people whose username starts
    with `q`. A `q` without a word is a 422."""
    text = query["q"][:search.QUERY_MAX]
    _words, page, people = feeds.search_results(viewer(), text, page_args(query),
                                                query["limit"])
    return page_answer(page, query, message_json, ready=True,
                       people=[user_brief(p) for p in people])
