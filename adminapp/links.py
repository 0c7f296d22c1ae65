"""URLs of the places every page links, and pieces of pages, built once per app.

A page links the same places again and again (the navigation bar, the static
files, the back office's detail pages) and url_for costs 3-7 µs each: a tenth of a
page. `path_for` builds each URL once per app, for arguments that are constants of
the templates (an endpoint, a static file's name); never pass it a value that
varies with the data, like a username (write those paths out: "/users/<name>/").
`kept_html` does the same for a piece of a page that shows the same for everyone
with the same key (the back office's menu, a list's column headers).
"""
from flask import current_app, url_for
from markupsafe import Markup

from .security import csp_nonce

KEPT = 1000  # URLs per app; beyond, the cache starts again (a misuse, not a leak)
NONCE = "\x00nonce\x00"  # where a kept fragment had its request's CSP nonce


def path_for(endpoint, **values):
    """url_for(endpoint, **values), from the app's cache after the first call. Raises
    what url_for raises (BuildError) for an endpoint the app does not have."""
    paths = current_app.extensions.setdefault("paths", {})
    key = (endpoint, *sorted(values.items()))
    path = paths.get(key)
    if path is None:
        if len(paths) >= KEPT:
            paths.clear()
        path = paths[key] = url_for(endpoint, **values)
    return path


def kept_html(*key, caller):
    """The HTML of a template's `{% call kept_html(key...) %}` block: rendered once per app
    and `key`, then kept. The key must hold everything the block shows (the back office's
    menu: the viewer's role and the page's view), and the block nothing of the request
    but its Content-Security-Policy nonce, which is put back in for each request."""
    fragments = current_app.extensions.setdefault("html_fragments", {})
    nonce = csp_nonce()
    html = fragments.get(key)
    if html is None:
        if len(fragments) >= KEPT:
            fragments.clear()
        html = fragments[key] = str(caller()).replace(nonce, NONCE) if nonce else str(caller())
    return Markup(html.replace(NONCE, nonce) if nonce else html)


def init_app(app):
    """Give the templates `path_for` and `kept_html`."""
    app.add_template_global(path_for)
    app.add_template_global(kept_html)
