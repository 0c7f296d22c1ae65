"""Messages: read one, post, delete your own, like, report: the model methods the site's
buttons call."""
from apiflask import abort
from flask import url_for

from .. import feeds, models
from ..limits import limit
from ..models import Message
from . import bp
from .auth import token_auth, token_optional, token_key, viewer
from .errors import refused
from .schemas import MessageIn, MessageOut, ReportIn, ReportOut, message_json

NOT_FOUND = "There is no message with this id that you may read."


def message_row(message_id, who):
    """The message as a feed row (feeds.thread_for: the site's rule for who may read it),
    or 404."""
    found = feeds.thread_for(who, message_id)
    if found is None:
        abort(404, NOT_FOUND)
    return found[1]


def message_or_404(message_id, who):
    """The Message itself (Message.visible_to, as the site's buttons), or 404."""
    message = Message.visible_to(who).where(Message.id == message_id).first()
    if message is None:
        abort(404, NOT_FOUND)
    return message


@bp.get("/messages/<id:message_id>")
@token_optional
@bp.output(MessageOut)
def get_message(message_id):
    """One message (staff, and its author, also see a hidden one)."""
    return message_json(message_row(message_id, viewer()))


@bp.post("/messages")
@bp.auth_required(token_auth, roles=["write"])
@limit("POST_LIMIT_PER_USER", token_key, "You are posting too fast. Wait a little and try again.")
@bp.input(MessageIn, location="json", arg_name="body")
@bp.output(MessageOut, status_code=201)
@bp.doc(responses={404: "No message `in_reply_to` that you may read",
                   409: "Refused: you cannot reply to this account"})
def post_message(body):
    """Post a message, or a reply with `in_reply_to` (scope write)."""
    user = token_auth.current_user
    parent = None
    if body.get("in_reply_to") is not None:
        parent = message_or_404(body["in_reply_to"], user)
    try:
        message = user.post(body["content"], in_reply_to=parent)
    except models.ValidationError as e:
        refused(e)
    location = url_for("api.get_message", message_id=message.id, _external=True)
    return message_json(message_row(message.id, user)), 201, {"Location": location}


@bp.delete("/messages/<id:message_id>")
@bp.auth_required(token_auth, roles=["write"])
@bp.output({}, status_code=204)
@bp.doc(responses={403: "Not your message"})
def delete_message(message_id):
    """Delete one of your own messages for good (scope write)."""
    message = Message.get_or_none(Message.id == message_id)
    if message is None:
        abort(404, NOT_FOUND)
    try:
        token_auth.current_user.delete_message(message)
    except PermissionError as e:
        abort(403, str(e))
    return ""


@bp.put("/messages/<id:message_id>/like")
@bp.auth_required(token_auth, roles=["write"])
@bp.output({}, status_code=204)
@bp.doc(responses={409: "Refused: a block stands between you and its author"})
def like(message_id):
    """Like a message (idempotent; scope write)."""
    user = token_auth.current_user
    try:
        user.like(message_or_404(message_id, user))
    except models.ValidationError as e:
        refused(e)
    return ""


@bp.delete("/messages/<id:message_id>/like")
@bp.auth_required(token_auth, roles=["write"])
@bp.output({}, status_code=204)
def unlike(message_id):
    """Take back a like (idempotent; scope write)."""
    user = token_auth.current_user
    user.unlike(message_or_404(message_id, user))
    return ""


@bp.post("/messages/<id:message_id>/reports")
@bp.auth_required(token_auth, roles=["write"])
@limit("REPORT_LIMIT_PER_USER", token_key,
       "You have sent many reports in a short time. Wait a little and try again.")
@bp.input(ReportIn, location="json", arg_name="body")
@bp.output(ReportOut, status_code=201)
def report(message_id, body):
    """Report a message to the moderators (scope write); reporting it again is a 422."""
    user = token_auth.current_user
    message = message_or_404(message_id, user)
    try:
        filed = models.Report.file(user, message, body["category"], body["note"])
    except models.ValidationError as e:
        refused(e)
    return {"id": filed.id, "category": filed.category, "note": filed.note,
            "created_at": filed.created}
