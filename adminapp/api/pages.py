"""Keyset pages of the API: `?cursor=` and `?limit=` in, `{"items", "next"}` and a Link
header out, over the same keyset pagination the site's pages use (pagination.py)."""
from flask import current_app, request, url_for


def page_args(query, keyset=None):
    """The site's pagination arguments for an API page query: its cursor continues the
    list (`before` on the newest-first lists, the keyset's own word on others; a broken
    cursor is a 400 there)."""
    forward = keyset.forward if keyset is not None else "before"
    return {forward: query["cursor"]} if query.get("cursor") else {}


def next_link(cursor, query):
    """The `Link` header's value for the page after this one: this request's URL with its
    other arguments kept (?limit=, ?status=, ?q=...) and `cursor` in place of its own."""
    args = {name: values for name, values in request.args.lists() if name != "cursor"}
    args["limit"] = query["limit"]
    url = url_for(request.endpoint, **(request.view_args or {}), **args, cursor=cursor,
                  _external=True)
    return f'<{url}>; rel="next"'


def page_answer(page, query, shape, ready=False, **extra):
    """The answer to a page: its items through `shape(item, root)` (root: the request's
    root URL), the next cursor (and `extra` members), the Link header when there is a
    next page. (body, status, headers), which the view's output schema turns into JSON;
    or, when `shape` gives values JSON takes as they are (`ready`: the schema's form,
    dates as text), the Response itself, sent without the schema (marshmallow took half
    of a timeline's time)."""
    cursor = next(iter(page.next_args.values()), None)
    headers = {"Link": next_link(cursor, query)} if cursor is not None else {}
    root = request.url_root  # once for the page: each item's URLs start with it
    body = {"items": [shape(item, root) for item in page.items], "next": cursor, **extra}
    if not ready:
        return body, 200, headers
    response = current_app.json.response(body)
    response.headers.update(headers)
    return response
