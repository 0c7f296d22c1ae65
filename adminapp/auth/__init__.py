"""Accounts: Flask-Login set-up, login sessions, join/login/logout."""
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from ..errors import under_api
from ..models import User
from ..vocabulary import SessionEnd
from . import reset  # noqa: F401  (the /reset/ views, on the same blueprint)
from .views import bp

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to do that."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(token):
    """The user of the open login session `token`, or None (the request is then anonymous;
    why the session ended is kept in g for end_stale_session)."""
    user, ended = User.from_session(token)
    if ended is not None:
        g.session_end = ended
    return user


def end_stale_session():
    """Clear the cookies of a login session that has ended (logout elsewhere, password
    change, suspension, role change), and say why, at the browser's next request."""
    if under_api(request.path):
        return None  # the API reads no cookie (tokens only): nothing to clear or say there
    if current_user.is_authenticated:
        return None
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and cookie not in request.cookies:
        return None
    ended = g.pop("session_end", None)
    logout_user()
    if ended is not None and ended != SessionEnd.LOGOUT:
        flash(ended.label, "error" if ended == SessionEnd.SUSPENDED else "info")
        if request.method != "GET":
            return redirect(url_for("public.public_timeline"))
    return None


def viewer_context():
    """The templates' `current_user`: the user object itself (or the anonymous one) rather
    than Flask-Login's proxy, which a page reads a dozen times, each through the proxy's
    lookups (a twentieth of a timeline's time)."""
    return {"current_user": current_user._get_current_object()}


def init_app(app):
    """Wire Flask-Login and the auth blueprint into `app`."""
    login_manager.init_app(app)
    app.before_request(end_stale_session)
    # registered after Flask-Login's own context processor, so that this one wins
    app.context_processor(viewer_context)
    app.register_blueprint(bp)
