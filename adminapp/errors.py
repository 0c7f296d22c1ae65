"""Friendly error pages: the same layout, a clear sentence, the right status."""
from flask import render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Forbidden", "You do not have permission to see this page."),
    404: ("Not found", "There is nothing here. The page may have moved, or never existed."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    429: ("Too many attempts", "Too many attempts in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An error on our side stopped this page. It has been logged."),
}


def render_error(status, detail=None):
    """Return the error page for `status`, with `detail` in place of the stock sentence."""
    title, sentence = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title,
                           detail=detail or sentence), status


def custom_detail(e):
    """The description given to abort(), or None when it is werkzeug's stock text."""
    description = getattr(e, "description", None)
    return description if description != type(e).description else None


def init_app(app):
    """Register the error pages for CSRF failures and the common HTTP errors."""
    @app.errorhandler(CSRFError)
    def _csrf_error(e):
        return render_error(400, "The form was out of date or incomplete (" + e.description
                            + "). Go back, reload the page and try again.")

    for status in (400, 403, 404, 405, 500):
        app.register_error_handler(status, lambda e, s=status: render_error(s, custom_detail(e)))
    # the limiter's own description ("5 per 1 minute") is not for people; the login
    # page shows its own 429 (auth.views.login_throttled)
    app.register_error_handler(429, lambda e: render_error(429))
