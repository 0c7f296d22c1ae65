"""Keyset pages of the API: `?cursor=` and `?limit=` in, `{"items", "next"}` and a Link
header out, over the same keyset pagination the site's pages use (pagination.py)."""
from flask import request, url_for


def page_args(query, keyset=None):
    """The site's pagination arguments for an API page query: its cursor continues the
    list (`before` on the newest-first lists, the keyset's own word on others; a broken
    cursor is a 400 there)."""
    forward = keyset.forward if keyset is not None else "before"
    return {forward: query["cursor"]} if query.get("cursor") else {}


def page_answer(page, query, shape):
    """(body, headers) of a Page: its items through `shape`, the next cursor, the Link."""
    cursor = next(iter(page.next_args.values()), None)
    headers = {}
    if cursor is not None:
        url = url_for(request.endpoint, **(request.view_args or {}), cursor=cursor,
                      limit=query["limit"], _external=True)
        headers["Link"] = f'<{url}>; rel="next"'
    return {"items": [shape(item) for item in page.items], "next": cursor}, 200, headers
