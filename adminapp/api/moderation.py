"""Moderation through the API: the report queue, its resolution, hiding, suspending,
warning, restoring and the audit log; each a call of the moderation verb the back office
and the site's buttons call (scope moderate, and the verbs' own rule on who may act on
whom: NotAllowed is a 403)."""
from apiflask import abort

from .. import moderation, pagination
from ..models import AuditLog, Message, Report, User
from . import bp
from .auth import token_auth
from .messages import message_row
from .pages import page_answer, page_args
from .schemas import (AuditPage, MessageOut, OptionalReasonIn, PageQuery, ReasonIn, ReportPage,
                      ResolveIn, StatusQuery, SuspendIn, UserOut, message_json, user_json)
from .users import user_or_404

MODERATE = {"roles": ["moderate"]}
REFUSED = {403: "Not allowed: the token lacks the scope, or the verb refuses (yourself, an "
                "equal or higher role)"}


def staff():
    """The token's user when they are staff now (a token outlives a role), else 403."""
    user = token_auth.current_user
    if not user.is_moderator:
        abort(403, "Only moderators and admins can do this.")
    return user


def act(verb, target, *args, **kwargs):
    """Run a moderation verb as the token's user; NotAllowed is a 403 with its sentence."""
    try:
        return verb(staff(), target, *args, **kwargs)
    except moderation.NotAllowed as e:
        abort(403, str(e))


def report_json(report, root=None):
    """A report of the queue, with its message (URLs from `root`, the request's root)."""
    row = message_row(report.message_id, token_auth.current_user)
    return {"id": report.id, "category": report.category, "note": report.note,
            "created_at": report.created, "reporter": report.reporter.username,
            "message": message_json(row, root), "resolution": report.resolution,
            "resolved_at": report.resolved_at}


def audit_json(entry, root=None):
    """An audit log entry (`root` unused: it names no page)."""
    actor = entry.actor
    return {"id": entry.id, "actor": actor.username if actor is not None else None,
            "action": entry.action, "target_model": entry.target_model,
            "target_id": entry.target_id, "details": entry.details, "created_at": entry.created}


@bp.get("/moderation/reports")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(StatusQuery, location="query", arg_name="query")
@bp.output(ReportPage)
@bp.doc(responses=REFUSED)
def reports(query):
    """The reports, newest first: `?status=open` (default), `resolved` or `all`."""
    staff()
    page = pagination.by_created(Report).page(Report.listing(query["status"]),
                                               page_args(query), query["limit"])
    return page_answer(page, query, report_json)


@bp.post("/moderation/reports/<id:report_id>/resolve")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(ResolveIn, location="json", arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(responses={**REFUSED, 409: "The report is already resolved"})
def resolve(report_id, body):
    """Resolve a report: `hide` hides the message, `dismiss` leaves it."""
    report = Report.listing("all").where(Report.id == report_id).first()
    if report is None:
        abort(404, "There is no such report.")
    if report.resolved_at is not None:
        abort(409, f"Report {report.id} is already resolved.")
    act(moderation.resolve_report, report, body["outcome"], reason=body["reason"])
    return ""


def hidden_or_shown(verb, message_id, reason):
    message = Message.visible_to(staff()).where(Message.id == message_id).first()
    if message is None:
        abort(404, "There is no message with this id.")
    act(verb, message, reason)
    return message_json(message_row(message.id, token_auth.current_user))


@bp.post("/moderation/messages/<id:message_id>/hide")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(ReasonIn, location="json", arg_name="body")
@bp.output(MessageOut)
@bp.doc(responses=REFUSED)
def hide(message_id, body):
    """Hide a message from every public page; its author is told why (idempotent)."""
    return hidden_or_shown(moderation.hide_message, message_id, body["reason"])


@bp.post("/moderation/messages/<id:message_id>/unhide")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(OptionalReasonIn, location="json", arg_name="body")
@bp.output(MessageOut)
@bp.doc(responses=REFUSED)
def unhide(message_id, body):
    """Show a hidden message again (idempotent)."""
    return hidden_or_shown(moderation.unhide_message, message_id, body["reason"])


def on_user(verb, username, reason, **options):
    """Run the moderation `verb` on the user called `username` (404 if none); returns
    their profile after it, as the acting moderator sees it."""
    user = user_or_404(username)
    act(verb, user, reason, **options)
    return user_json(User.profile(user.username, token_auth.current_user))


@bp.post("/moderation/users/<username>/suspend")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(SuspendIn, location="json", arg_name="body")
@bp.output(UserOut)
@bp.doc(responses=REFUSED)
def suspend(username, body):
    """Suspend someone until `until` (a future date-time) or, without it, until restored;
    they are told why and until when."""
    return on_user(moderation.suspend_user, username, body["reason"], until=body["until"])


@bp.post("/moderation/users/<username>/restore")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(OptionalReasonIn, location="json", arg_name="body")
@bp.output(UserOut)
@bp.doc(responses=REFUSED)
def restore(username, body):
    """Lift a suspension (a moderator cannot lift an admin's)."""
    return on_user(moderation.restore_user, username, body["reason"])


@bp.post("/moderation/users/<username>/warn")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(ReasonIn, location="json", arg_name="body")
@bp.output(UserOut)
@bp.doc(responses=REFUSED)
def warn(username, body):
    """Warn someone: a strike with the reason they are told."""
    return on_user(moderation.warn_user, username, body["reason"])


@bp.get("/moderation/audit")
@bp.auth_required(token_auth, **MODERATE)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(AuditPage)
@bp.doc(responses=REFUSED)
def audit(query):
    """The audit log, newest first."""
    staff()
    page = pagination.by_created(AuditLog).page(AuditLog.listing(), page_args(query),
                                                 query["limit"])
    return page_answer(page, query, audit_json)
