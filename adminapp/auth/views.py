"""Join, log in, log out."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..forms import form_page
from ..models import User
from ..security import limiter, safe_next
from .forms import JoinForm, LoginForm

bp = Blueprint("auth", __name__)


def login_username_key():
    """Rate-limit key: the username being tried, ignoring case."""
    return "login-user:" + (request.form.get("username") or "").strip().lower()


def failed_login(response):
    """Only failed attempts count against the limits."""
    return response.status_code == 401


def login_limit(key):
    return current_app.config["LOGIN_LIMIT_PER_USERNAME" if key == "user" else "LOGIN_LIMIT_PER_IP"]


@bp.route("/join/", methods=["GET", "POST"])
def join():
    """Create an account and log in; the form again with the reasons (422) on bad input."""
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = JoinForm()

    def create_and_log_in():
        login_user(User.create_account(form.username.data, form.email.data, form.password.data))
    return form_page(form, "auth/join.html", create_and_log_in,
                     f"Welcome to tweepee, {(form.username.data or '').strip()}! "
                     "Follow a few people to fill your timeline.", url_for("public.index"))


@bp.route("/login/", methods=["GET", "POST"])
@limiter.limit(lambda: login_limit("user"), key_func=login_username_key, methods=["POST"],
               deduct_when=failed_login)
@limiter.limit(lambda: login_limit("ip"), methods=["POST"], deduct_when=failed_login)
def login():
    """Log in and go to ?next= (same site only); 401 with the form on bad credentials."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("public.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200
    user = User.lookup(form.username.data)
    if user is None or not user.check_password(form.password.data):
        form.password.errors.append("That username and password do not match.")
        return render_template("auth/login.html", form=form), 401
    if user.is_suspended:
        form.username.errors.append("This account is suspended.")
        return render_template("auth/login.html", form=form), 403
    login_user(user, remember=form.remember.data)
    flash(f"You are logged in as {user.username}.", "success")
    return redirect(safe_next(request.args.get("next")) or url_for("public.index"))


@bp.errorhandler(429)
def login_throttled(e):
    """The login form with a 429 and the reason, when too many attempts failed."""
    form = LoginForm()
    form.username.errors = ["Too many failed attempts. Wait a minute before trying again."]
    return render_template("auth/login.html", form=form), 429


@bp.route("/logout/", methods=["POST"])
@login_required
def logout():
    """End the session (POST only, with a CSRF token)."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("public.index"))
