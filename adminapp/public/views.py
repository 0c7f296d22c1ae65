"""Views of the public site. Each one asks the models for a query and renders it."""
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required, logout_user

from .. import feeds, moderation, models, pagination, search
from ..formatting import normal_tag
from ..forms import form_page, show_error
from ..limits import account_key, limit
from ..models import Message, User
from ..security import appeal_pass_user_id, safe_next
from ..vocabulary import SessionEnd
from .forms import AppealForm, MessageForm, ReportForm, SettingsForm, TokenForm

bp = Blueprint("public", __name__)


# --- helpers -------------------------------------------------------------------
def per_page():
    return current_app.config["MESSAGES_PER_PAGE"]


def user_page(query):
    """Return the keyset Page of a user query (A to Z) for this request."""
    return pagination.users(User).page(query, request.args, current_app.config["USERS_PER_PAGE"])


def render_timeline(title, page, **context):
    """Render a timeline `page` (feeds.py), with the post box for people who can post."""
    can_post = current_user.is_authenticated and not current_user.is_suspended
    return render_template("public/timeline.html", title=title, page=page, can_post=can_post,
                           **context)


def profile_or_404(username):
    """Return the user called `username` (any case) with its counts, or abort with 404."""
    user = User.profile(username, current_user)
    if user is None:
        abort(404)
    return user


def user_or_404(username, query=None):
    """Return the user called `username` (any case), or abort with 404."""
    user = User.lookup(username, query)
    if user is None:
        abort(404)
    return user


def back_to_page(default):
    """Redirect to a same-site `next` (the page the button was on: in the query, or in the
    form of the row buttons), else to `default`."""
    return redirect(safe_next(request.values.get("next")) or default)


def back_to(user):
    """Where to go after acting on `user`: a same-site ?next=, else their profile."""
    return back_to_page(url_for("public.profile", username=user.username))


# --- timelines -------------------------------------------------------------------
@bp.route("/")
def index():
    """The private timeline when logged in, else the public one."""
    if current_user.is_authenticated:
        return private_timeline()
    return public_timeline()


@bp.route("/private/")
@login_required
def private_timeline():
    """Messages of the people you follow, and yours, newest first."""
    page = feeds.home_page(current_user, current_user.following_count(), request.args,
                           per_page())
    return render_timeline("Your timeline", page, private=True)


@bp.route("/public/")
def public_timeline():
    """Every visible message, newest first."""
    return render_timeline("Public timeline",
                           feeds.public_page(current_user, request.args, per_page()))


@bp.route("/create/", methods=["GET", "POST"])
@login_required
@limit("POST_LIMIT_PER_USER", account_key, "You are posting too fast. Wait a little and try again.")
def create():
    """Post a message; the form again with the reason (422) when it is refused."""
    form = MessageForm()
    return form_page(form, "public/create.html", lambda: current_user.post(form.content.data),
                     "Your message is posted.", url_for("public.index"))


# --- search and tags ------------------------------------------------------------------
@bp.route("/search/")
def search_results():
    """Messages holding every word of ?q= (newest first, the words marked) and, on the
    first page, the people whose name starts with it. A query without words (only
    punctuation, quotes, operators) gets a page saying so, never an error."""
    text = request.args.get("q", "")[:search.QUERY_MAX]
    words, page, people = feeds.search_results(current_user, text, request.args, per_page())
    return render_template("public/search.html", title=f"Search: {text}" if text else "Search",
                           q=text, words=words, page=page, people=people)


@bp.route("/tags/<tag>/")
def tag(tag):
    """The public messages carrying #tag, any case, newest first; 404 for what cannot be
    a tag."""
    stored = normal_tag(tag)
    if stored is None:
        abort(404)
    page = feeds.tag_page(current_user, stored, request.args, per_page())
    return render_template("public/tag.html", title=f"#{tag}", tag=tag, page=page)


# --- people ----------------------------------------------------------------------
@bp.route("/users/")
def user_list():
    """Directory of active users, A to Z."""
    return render_template("public/user_list.html", title="People",
                           page=user_page(User.active()))


@bp.route("/users/<username>/")
def profile(username):
    """A profile with its counts and messages; a suspended account shows none."""
    user = profile_or_404(username)
    page = feeds.profile_page(current_user, user, request.args, per_page())
    return render_template("public/profile.html", user=user, page=page)


def relation_list(user, which):
    """Render the followers or following list of `user`."""
    query = user.followers() if which == "followers" else user.following()
    query = query.where(User.suspended_at.is_null())
    return render_template("public/user_list.html", owner=user, which=which,
                           title=f"{user.username}: {which}", page=user_page(query))


@bp.route("/users/<username>/followers/")
def followers(username):
    return relation_list(user_or_404(username), "followers")


@bp.route("/users/<username>/following/")
def following(username):
    return relation_list(user_or_404(username), "following")


@bp.route("/followers/")
@login_required
def my_followers():
    return relation_list(current_user, "followers")


@bp.route("/following/")
@login_required
def my_following():
    return relation_list(current_user, "following")


@bp.route("/users/<username>/follow/", methods=["POST"])
@login_required
@limit("FOLLOW_LIMIT_PER_USER", account_key,
       "You are following people too fast. Wait a little and try again.")
def follow(username):
    """Follow `username` (idempotent); 400 with the reason for oneself or a suspended account."""
    user = user_or_404(username)
    try:
        current_user.follow(user)
    except models.ValidationError as e:
        abort(400, description=str(e))
    flash(f"You are following {user.username}.", "success")
    return back_to(user)


@bp.route("/users/<username>/unfollow/", methods=["POST"])
@login_required
def unfollow(username):
    """Stop following `username` (idempotent)."""
    user = user_or_404(username)
    current_user.unfollow(user)
    flash(f"You are no longer following {user.username}.", "info")
    return back_to(user)


def relation_verb(verb, username, done):
    """Run `verb` (User.block, unblock, mute, unmute) on `username` as the current user;
    400 with the reason when refused; back to where the button was."""
    user = user_or_404(username)
    try:
        verb(current_user, user)
    except models.ValidationError as e:
        abort(400, description=str(e))
    flash(done.format(name=user.username), "info")
    return back_to(user)


@bp.route("/users/<username>/block/", methods=["POST"])
@login_required
def block(username):
    return relation_verb(User.block, username,
                         "You blocked {name}: neither of you sees the other's messages.")


@bp.route("/users/<username>/unblock/", methods=["POST"])
@login_required
def unblock(username):
    return relation_verb(User.unblock, username, "You no longer block {name}.")


@bp.route("/users/<username>/mute/", methods=["POST"])
@login_required
def mute(username):
    return relation_verb(User.mute, username,
                         "You muted {name}: their messages are off your timelines.")


@bp.route("/users/<username>/unmute/", methods=["POST"])
@login_required
def unmute(username):
    return relation_verb(User.unmute, username, "You no longer mute {name}.")


# --- one message -------------------------------------------------------------------
def message_or_404(message_id):
    """Return the message with its author, or 404 when this viewer may not see it."""
    message = Message.visible_to(current_user).where(Message.id == message_id).first()
    if message is None:
        abort(404)
    return message


def thread_or_404(message_id):
    """What a message's page shows: its ancestors, the message and a page of its replies,
    as rows (feeds.py); 404 when this viewer may not see the message."""
    found = feeds.thread_for(current_user, message_id)
    if found is None:
        abort(404)
    ancestors, message = found
    replies = feeds.replies_page(current_user, message, request.args, per_page())
    return {"ancestors": ancestors, "message": message, "replies": replies}


@bp.route("/messages/<id:message_id>/")
def message_detail(message_id):
    """A message in its thread, with a reply box and a report form for logged-in readers
    (written out by the template: form=None; /reply/ and /report/ pass their forms back
    to show what was refused)."""
    return render_template("public/message.html", **thread_or_404(message_id))


def to_thread(message_id):
    return url_for("public.message_detail", message_id=message_id)


@bp.route("/messages/<id:message_id>/reply/", methods=["POST"])
@login_required
@limit("POST_LIMIT_PER_USER", account_key, "You are posting too fast. Wait a little and try again.")
def reply(message_id):
    """Answer a message; the thread again with the reason (422) when it is refused."""
    parent = message_or_404(message_id)
    form = MessageForm()
    return form_page(form, "public/message.html",
                     lambda: current_user.post(form.content.data, in_reply_to=parent),
                     "Your reply is posted.", to_thread(parent.id), reply_form=form,
                     more=lambda: thread_or_404(parent.id))


@bp.route("/messages/<id:message_id>/like/", methods=["POST"])
@login_required
def like(message_id):
    """Like a message (idempotent); back to the page the button was on."""
    message = message_or_404(message_id)
    try:
        current_user.like(message)
    except models.ValidationError as e:
        abort(400, description=str(e))
    return back_to_page(to_thread(message.id))


@bp.route("/messages/<id:message_id>/unlike/", methods=["POST"])
@login_required
def unlike(message_id):
    """Take back a like (idempotent)."""
    message = message_or_404(message_id)
    current_user.unlike(message)
    return back_to_page(to_thread(message.id))


@bp.route("/messages/<id:message_id>/delete/", methods=["POST"])
@login_required
def delete(message_id):
    """Delete your own message for good (the page asked to confirm); 403 for another's."""
    message = Message.get_or_none(Message.id == message_id)
    if message is None:
        abort(404)
    try:
        current_user.delete_message(message)
    except PermissionError as e:
        abort(403, description=str(e))
    flash("Your message is deleted.", "info")
    return redirect(url_for("public.profile", username=current_user.username))


@bp.route("/messages/<id:message_id>/report/", methods=["POST"])
@login_required
@limit("REPORT_LIMIT_PER_USER", account_key,
       "You have sent many reports in a short time. Wait a little and try again.")
def report(message_id):
    """Report a message to the moderators; 422 with the reason when refused."""
    message = message_or_404(message_id)
    form = ReportForm()
    return form_page(form, "public/message.html",
                     lambda: models.Report.file(current_user, message, form.category.data,
                                                form.note.data),
                     "Thank you. The moderators will look at this message.",
                     to_thread(message.id), report_form=form,
                     more=lambda: thread_or_404(message.id))


# --- notifications -----------------------------------------------------------------
@bp.route("/notifications/")
@login_required
def notifications():
    """Your notifications, newest first; opening the page marks them read (this page
    still shows which ones were new)."""
    page = feeds.notifications_page(current_user, request.args, per_page())
    if current_user.unread_count:  # read with the session's user: no query when none
        current_user.mark_notifications_read()
    return render_template("public/notifications.html", page=page, title="Notifications")


# --- appeals --------------------------------------------------------------------------
def appellant():
    """Who may appeal from this browser: the logged-in user, else the suspended user of a
    fresh appeal pass (security.grant_appeal_pass, left by a login refused for a
    suspension); None for anyone else."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    user_id = appeal_pass_user_id()
    user = User.get_or_none(User.id == user_id) if user_id is not None else None
    return user if user is not None and user.is_suspended else None


@bp.route("/appeals/", methods=["GET", "POST"])
def appeals():
    """The moderation actions that hit you, each with an appeal form until appealed, and
    your appeals with their outcome; POST `action_id`, `text` files one (422 with the
    reason: not your action, appealed already, empty text). Login required, but for a
    suspended person's appeal pass."""
    user = appellant()
    if user is None:
        return current_app.login_manager.unauthorized()
    form = AppealForm()

    def lists():
        hits = [entry for entry in models.AuditLog.hits(user) if entry.undone_by_id is None]
        mine = list(models.Appeal.of(user))
        appealed = {appeal.action_id for appeal in mine}
        return {"hits": [entry for entry in hits if entry.id not in appealed], "mine": mine,
                "appellant": user, "title": "Appeals"}
    return form_page(form, "public/appeals.html",
                     lambda: models.Appeal.file(user, form.action_id.data, form.text.data),
                     "Your appeal is sent. A moderator will decide, and you will be told.",
                     url_for("public.appeals"), more=lists)


# --- settings ------------------------------------------------------------------------
@bp.route("/settings/", methods=["GET", "POST"])
@login_required
@limit("PASSWORD_LIMIT_PER_USER", account_key,
       "Too many wrong passwords. Wait a minute before trying again.",
       deduct_when=lambda response: g.get("wrong_password", False))
def settings():
    """Change email, bio and password (the password needs the current one; changing it
    logs out every other session)."""
    form = SettingsForm(obj=current_user)
    ended = []

    def save():
        try:
            ended.append(current_user.update_settings(
                form.email.data, form.bio.data, form.new_password.data,
                form.current_password.data, revoke_tokens=form.revoke_tokens.data))
        except models.ValidationError as e:
            g.wrong_password = e.field == "current_password"
            raise
    response = form_page(form, "public/settings.html", save, "Your settings are saved.",
                         url_for("public.settings"),
                         more=lambda: {"blocked": list(current_user.blocked_users()),
                                       "muted": list(current_user.muted_users())})
    if ended and ended[0]:
        flash(f"Your password is changed: your {ended[0]} other "
              f"session{'s are' if ended[0] != 1 else ' is'} logged out.", "info")
    return response


@bp.route("/settings/logout-everywhere/", methods=["POST"])
@login_required
def logout_everywhere():
    """End every login session of yours, this one and remember-me cookies included."""
    current_user.end_sessions(SessionEnd.EVERYWHERE)
    logout_user()
    flash("You are logged out everywhere: on this device and every other one.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/settings/tokens/", methods=["GET", "POST"])
@login_required
def tokens():
    """Your API tokens: make one (its secret is on the answer to that POST, once), see
    them, revoke them; the form again with the reason (422) when it is refused."""
    form = TokenForm().offer_scopes(current_user)
    secret, status = None, 200
    if form.validate_on_submit():
        try:
            _, secret = models.ApiToken.issue(current_user, form.name.data, form.scopes.data)
            form = TokenForm(formdata=None).offer_scopes(current_user)
        except models.ValidationError as e:
            show_error(form, e)
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("public/tokens.html", title="API tokens", form=form, secret=secret,
                           tokens=list(models.ApiToken.of(current_user))), status


@bp.route("/settings/tokens/<id:token_id>/revoke/", methods=["POST"])
@login_required
def revoke_token(token_id):
    """Revoke one of your tokens (idempotent): it stops working at once."""
    if models.ApiToken.revoke(current_user, token_id):
        flash("The token is revoked: it no longer works.", "info")
    return redirect(url_for("public.tokens"))


# --- moderation in place (the same verbs as the back office) ------------------------------
def moderate(verb, target, done, **kwargs):
    """Run a moderation verb as the current user; 403 with the reason when not allowed."""
    try:
        verb(current_user, target, **kwargs)
    except moderation.NotAllowed as e:
        abort(403, description=str(e))
    flash(done, "success")


@bp.route("/messages/<id:message_id>/hide/", methods=["POST"])
@login_required
def hide(message_id):
    message = message_or_404(message_id)
    moderate(moderation.hide_message, message, "The message is hidden.",
             reason=request.form.get("reason") or "Hidden by a moderator")
    return back_to_page(url_for("public.message_detail", message_id=message.id))


@bp.route("/messages/<id:message_id>/unhide/", methods=["POST"])
@login_required
def unhide(message_id):
    message = message_or_404(message_id)
    moderate(moderation.unhide_message, message, "The message is visible again.")
    return back_to_page(url_for("public.message_detail", message_id=message.id))


@bp.route("/users/<username>/suspend/", methods=["POST"])
@login_required
def suspend(username):
    user = user_or_404(username)
    try:  # `days`: 1, 7, 30, or empty for until restored
        until = moderation.suspension_end(days=request.form.get("days"))
    except moderation.NotAllowed as e:
        abort(400, description=str(e))
    moderate(moderation.suspend_user, user, f"{user.username} is suspended.",
             reason=request.form.get("reason") or "Suspended by a moderator", until=until)
    return back_to(user)


@bp.route("/users/<username>/warn/", methods=["POST"])
@login_required
def warn(username):
    """Warn a user (a strike with the reason they are told); 403 when not allowed."""
    user = user_or_404(username)
    if not (request.form.get("reason") or "").strip():
        abort(400, description="A warning needs a reason: choose one or write it.")
    moderate(moderation.warn_user, user, f"{user.username} is warned.",
             reason=request.form["reason"])
    return back_to(user)


@bp.route("/users/<username>/restore/", methods=["POST"])
@login_required
def restore(username):
    user = user_or_404(username)
    moderate(moderation.restore_user, user, f"{user.username} is restored.")
    return back_to(user)
