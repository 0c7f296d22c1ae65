"""Friendly error pages: the same layout, a clear sentence, the right status.

A client that asks for JSON (an Accept header preferring it, or a path under
/api/) gets the same answer as RFC 9457 problem+json instead.
"""
from flask import jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Not authenticated", "This needs a valid token: send Authorization: Bearer <token>."),
    403: ("Forbidden", "You do not have permission to see this page."),
    404: ("Not found", "There is nothing here. The page may have moved, or never existed."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    409: ("Conflict", "That cannot be done in the present state of things."),
    413: ("Too large", "That is more than any form of this site takes."),
    415: ("Unsupported content", "This page does not take that kind of content."),
    422: ("Not valid", "Some fields are not right: see what to change in each."),
    429: ("Too many attempts", "Too many attempts in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An error on our side stopped this page. It has been logged."),
}


def under_api(path):
    """True for a path of the JSON API (/api/...), which takes tokens only (no cookie, no
    form) and answers problem+json."""
    return path.startswith("/api/")


def wants_json():
    """True for API paths and for clients that prefer JSON to HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return under_api(request.path) or best == "application/json"


def render_error(status, detail=None, headers=None, errors=None):
    """The error page (or problem+json) for `status`, with `detail` in place of the stock
    sentence, `headers` kept (Allow on a 405, Retry-After on a 429) and, in problem+json,
    `errors` ({field: [what to change]}, on a 422)."""
    title, sentence = MESSAGES.get(status, MESSAGES[500])
    headers = dict(headers or {})
    if wants_json():
        problem = {"type": "about:blank", "status": status, "title": title,
                   "detail": detail or sentence}
        if errors:
            problem["errors"] = errors
        response = jsonify(problem)
        response.mimetype = "application/problem+json"
        if status == 401 and "WWW-Authenticate" not in headers:
            headers["WWW-Authenticate"] = "Bearer"  # RFC 9110: a 401 names its scheme
    else:
        response = render_template("errors/error.html", status=status, title=title,
                                   detail=detail or sentence)
    return response, status, headers


def custom_detail(e):
    """The description given to abort() (or a limit's error_message), or None when it is
    werkzeug's stock text or the limiter's ("5 per 1 minute" is not for people)."""
    if isinstance(e, RateLimitExceeded) and not e.limit.error_message:
        return None
    description = getattr(e, "description", None)
    return description if description != type(e).description else None


def http_error(e):
    """Any HTTP error raised by a view, werkzeug or an extension."""
    headers = [(k, v) for k, v in e.get_headers() if k.lower() != "content-type"]
    return render_error(e.code, custom_detail(e), headers)


def init_app(app):
    """Register the error pages for CSRF failures and every HTTP error."""
    @app.errorhandler(CSRFError)
    def _csrf_error(e):
        return render_error(400, "The form was out of date or incomplete (" + e.description
                            + "). Go back, reload the page and try again.")

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, lambda e: render_error(500))
