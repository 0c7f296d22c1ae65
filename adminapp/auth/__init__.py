"""Accounts: Flask-Login set-up, roles, join/login/logout."""
from flask import flash, redirect, request, url_for
from flask_login import LoginManager, current_user, logout_user

from ..formatting import parse_id
from ..models import User
from .views import bp

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to do that."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id):
    """Return the User with this id, or None (the session then counts as anonymous)."""
    pk = parse_id(user_id)
    return User.get_or_none(User.id == pk) if pk is not None else None


def end_suspended_session():
    """Log out a suspended user at their next request, whatever page they ask for."""
    # A suspended User is not is_authenticated (UserMixin ties that to is_active),
    # so look at the loaded object itself to end the session with an explanation.
    if getattr(current_user, "is_suspended", False):
        logout_user()
        flash("Your account is suspended. Contact the moderators if you think this is a mistake.",
              "error")
        if request.method != "GET":
            return redirect(url_for("public.public_timeline"))
    return None


def init_app(app):
    """Wire Flask-Login and the auth blueprint into `app`."""
    login_manager.init_app(app)
    app.before_request(end_suspended_session)
    app.register_blueprint(bp)
