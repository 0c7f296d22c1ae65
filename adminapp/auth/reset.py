"""Password reset by email: /reset/ asks for the address, /reset/<token>/ sets a new password.

The link carries a signed token (itsdangerous, keyed by SECRET_KEY) naming the
user and a fingerprint of their current password hash: it works for an hour
(RESET_TOKEN_MAX_AGE), and once, since setting the password changes the hash.
/reset/ answers the same whether or not the address is known.
"""
from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import mail
from ..forms import form_page
from ..formatting import parse_id
from ..limits import address_key, limit
from ..models import User
from .forms import ResetForm, ResetRequestForm
from .views import bp

SENT = ("If an account uses that address, a link to choose a new password is on its way. "
        "It works for an hour.")


def serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user):
    """A signed token for resetting `user`'s password (see the module docstring)."""
    return serializer().dumps([user.id, user.password_fingerprint])


def user_for(token):
    """The user a valid, unexpired, unused token names; None for anything else."""
    try:
        pk, fingerprint = serializer().loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
    except (BadData, ValueError, TypeError):
        return None
    user = User.get_or_none(User.id == parse_id(pk)) if parse_id(pk) else None
    return user if user is not None and user.password_fingerprint == fingerprint else None


def send_reset_mails(email):
    """Mail a reset link to every account that uses `email` (there may be several)."""
    for user in User.with_email(email):
        link = url_for("auth.reset_password", token=reset_token(user), _external=True)
        mail.send(user.email, "Choose a new tweepee password", render_template(
            "auth/reset_mail.txt", user=user, link=link,
            minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60))


@bp.route("/reset/", methods=["GET", "POST"])
@limit("RESET_LIMIT_PER_IP", address_key,
       "Too many reset requests from your address. Try again later.")
def reset_request():
    """Ask for a reset link; the same answer whether or not the address is known."""
    if current_user.is_authenticated:
        return redirect(url_for("public.settings"))
    form = ResetRequestForm()
    return form_page(form, "auth/reset_request.html", lambda: send_reset_mails(form.email.data),
                     SENT, url_for("auth.login"))


@bp.route("/reset/<token>/", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password with a reset link; every session of the account ends."""
    user = user_for(token)
    if user is None:
        abort(400, description="This password reset link is not valid: it is an hour old, "
                               "already used, or incomplete. Ask for a new one at /reset/.")
    form = ResetForm()
    done = f"Your password is changed, {user.username}. Log in with it."
    return form_page(form, "auth/reset_password.html",
                     lambda: user.reset_password(form.password.data), done,
                     url_for("auth.login"), user=user)
