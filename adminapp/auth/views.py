"""Join, log in, log out."""
from flask import (Blueprint, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user

from .. import moderation
from ..forms import form_page
from ..models import User
from ..limits import address_key, limit, username_address_key, username_key
from ..security import grant_appeal_pass, safe_next
from .forms import JoinForm, LoginForm

bp = Blueprint("auth", __name__)
LOGIN_THROTTLED = "Too many failed attempts. Wait a minute before trying again."


def failed_login(response):
    """Only refused passwords count against the login limits."""
    return response.status_code == 401


@bp.route("/join/", methods=["GET", "POST"])
@limit("JOIN_LIMIT_PER_IP", address_key,
       "Too many sign-ups from your address in a short time. Try again later.")
def join():
    """Create an account and log in; the form again with the reasons (422) on bad input."""
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = JoinForm()

    def create_and_log_in():
        start_session(User.create_account(form.username.data, form.email.data,
                                          form.password.data))
    return form_page(form, "auth/join.html", create_and_log_in,
                     f"Welcome to tweepee, {(form.username.data or '').strip()}! "
                     "Follow a few people to fill your timeline.", url_for("public.index"))


@bp.route("/login/", methods=["GET", "POST"])
@limit("LOGIN_LIMIT_PER_USERNAME_AND_IP", username_address_key, LOGIN_THROTTLED,
       deduct_when=failed_login)
@limit("LOGIN_LIMIT_PER_USERNAME", username_key, LOGIN_THROTTLED, deduct_when=failed_login)
@limit("LOGIN_LIMIT_PER_IP", address_key, LOGIN_THROTTLED, deduct_when=failed_login)
def login():
    """Log in and go to ?next= (same site only); 401 with the form on bad credentials."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("public.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200
    user = User.authenticate(form.username.data, form.password.data)
    if user is None:
        form.password.errors.append("That username and password do not match.")
        return render_template("auth/login.html", form=form), 401
    if user.is_suspended and moderation.lift_due_suspensions():
        user = User.get_by_id(user.id)  # a timed suspension that has ended
    if user.is_suspended:
        until = f" until {user.suspended_until:%Y-%m-%d %H:%M} UTC" if user.suspended_until else ""
        form.username.errors.append(f"This account is suspended{until}.")
        grant_appeal_pass(user)  # the password was right: they may appeal from here
        return render_template("auth/login.html", form=form, appeal=True), 403
    start_session(user, form.remember.data)
    flash(f"You are logged in as {user.username}.", "success")
    return redirect(safe_next(request.args.get("next")) or url_for("public.index"))


def start_session(user, remember=False):
    """Log `user` in, in a fresh session: nothing of the anonymous one (its CSRF secret
    included) carries over, and a new login session row holds the cookies' token."""
    session.clear()
    user.start_session(remember, request.user_agent.string)
    login_user(user, remember=remember)


@bp.errorhandler(429)
def login_throttled(e):
    """The login form with a 429 and the reason, when too many attempts failed."""
    form = LoginForm()
    form.username.errors = [e.description]
    return render_template("auth/login.html", form=form), 429


@bp.route("/logout/", methods=["POST"])
@login_required
def logout():
    """End this login session (POST only, with a CSRF token): its cookies stop working,
    even a copy of them."""
    current_user.end_session()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("public.index"))
