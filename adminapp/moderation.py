"""The moderation verbs: the only code that moderates.

Each verb checks that the actor may act on its target (nobody acts on
themselves or on an equal or higher role: docs/architecture.md, "Roles"), makes one change
and writes one AuditLog row, in one transaction; it raises NotAllowed (a
sentence fit to show the moderator) otherwise. The admin views, the buttons
on public pages, the CLI and seed_data.py all call these.
"""
import datetime

from peewee import IntegrityError

from .compiled import Shape
from .db import database
from .models import (Appeal, AuditLog, LoginSession, Message, Notification, Relationship, Report,
                     User, clean_reason, utcnow)
from .vocabulary import (REVERSIBLE, SUSPENSION_LENGTHS, Action, AppealStatus, Category, Limits,
                         Notice, Outcome, Role, SessionEnd, Target)

MODERATOR = Role.MODERATOR.rank
ADMIN = Role.ADMIN.rank
SUSPENSION_DAYS = tuple(days for days, _ in SUSPENSION_LENGTHS if days)  # or None: until restored


class NotAllowed(Exception):
    """The actor may not do this; the message says why."""


class NothingToUndo(NotAllowed):
    """The entry is not reversible, is undone already, or its target changed since: undo
    changed nothing (not a question of permission)."""


# --- the rule ------------------------------------------------------------------
def require(actor, target, minimum=MODERATOR):
    """Raise NotAllowed unless `actor` has at least `minimum` rank and outranks `target`."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.is_suspended:
        raise NotAllowed("You must be logged in as an active moderator.")
    if actor.rank < minimum:
        needed = "an admin" if minimum >= ADMIN else "a moderator"
        raise NotAllowed(f"Only {needed} can do this.")
    if target is not None and target.id == actor.id:
        raise NotAllowed("You cannot moderate yourself.")
    if target is not None and target.rank >= actor.rank:
        raise NotAllowed(f"You cannot act on {target.username}: their role ({target.role}) "
                         f"is not below yours ({actor.role}).")


def can_moderate(actor, target):
    """True when `actor` may moderate `target` (for showing buttons; the verbs still check)."""
    try:
        require(actor, target)
    except NotAllowed:
        return False
    return True


def _record(actor, action, target, before=None, after=None, reason=None, undoes=None, **extra):
    return AuditLog.record(actor, action, target, before=before, after=after,
                           reason=clean_reason(reason), undoes=undoes, **extra)


def _change(row, condition, **values):
    """Write `values` to `row` only while `condition` holds in the database; True if it did.

    The condition makes a race harmless: of two moderators hiding one message at
    once, one changes the row and writes the audit entry, the other changes nothing.
    """
    model = type(row)
    changed = model.update(**values).where((model.id == row.id) & condition).execute()
    if changed:
        for name, value in values.items():
            setattr(row, name, value)
    return changed == 1


# --- messages ---------------------------------------------------------------------
def hide_message(actor, message, reason):
    """Hide `message` from every public page; returns it. No-op (no audit row) if hidden."""
    require(actor, message.user)
    with database.atomic():
        if _change(message, Message.hidden_at.is_null(), hidden_at=utcnow(), hidden_by=actor,
                   hidden_reason=clean_reason(reason)):
            # the author is told why, never by whom; the audit entry says who was told
            told = Notification.send(message.user_id, Notice.HIDDEN, message=message,
                                     text=clean_reason(reason))
            _record(actor, Action.HIDE, message, before="visible", after="hidden", reason=reason,
                    notified=[Notice.HIDDEN.value] if told else [])
    return message


def unhide_message(actor, message, reason=None, undoes=None):
    """Show a hidden `message` again (its author is told); returns it. No-op (no audit row)
    if visible. `undoes`: the audit entry this reverses (see undo)."""
    require(actor, message.user)
    before = message.hidden_reason
    with database.atomic():
        if _change(message, Message.hidden_at.is_null(False), hidden_at=None, hidden_by=None,
                   hidden_reason=None):
            told = Notification.send(message.user_id, Notice.UNHIDDEN, message=message,
                                     text=clean_reason(reason))
            _record(actor, Action.UNHIDE, message, before=f"hidden: {before}", after="visible",
                    reason=reason, undoes=undoes,
                    notified=[Notice.UNHIDDEN.value] if told else [])
    return message


# --- users --------------------------------------------------------------------------
def suspension_end(days=None, until=None, now=None):
    """When a suspension made `now` ends: at `until` (a datetime: with an offset, taken to
    UTC; without, read as UTC), else `days` from now (1, 7 or 30, as a number or the form's
    text), else None: until restored. Returns a naive UTC datetime or None; raises
    NotAllowed (a sentence for the moderator) for another number of days, or an `until`
    that is not in the future or not a date-time one can store."""
    now = now or utcnow()
    if until is not None:
        try:
            if until.tzinfo is not None:
                until = until.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise NotAllowed("That end is not a date-time this site can keep.") from None
        if until <= now:
            raise NotAllowed("The end of a suspension must be in the future.")
        return until
    if days is None or days == "":
        return None
    lengths = {str(length): length for length in SUSPENSION_DAYS}
    if str(days) not in lengths:
        raise NotAllowed("A suspension lasts 1, 7 or 30 days, or until restored.")
    return now + datetime.timedelta(days=lengths[str(days)])


def suspend_user(actor, user, reason, days=None, until=None):
    """Suspend `user` until `until`, or for `days` (suspension_end: neither is until
    restored): no login, posting or following; their messages leave public pages, and
    every login session of theirs ends. They are told, with the reason and the end.
    NotAllowed for another length or an end not in the future."""
    require(actor, user)
    now = utcnow()
    until = suspension_end(days, until, now)
    with database.atomic():
        if _change(user, User.suspended_at.is_null(), suspended_at=now, suspended_until=until):
            user.end_sessions(SessionEnd.SUSPENDED)
            told = Notification.send(user.id, Notice.SUSPENDED, text=suspension_text(reason, until))
            _record(actor, Action.SUSPEND, user, before="active", after="suspended", reason=reason,
                    until=until.isoformat(timespec="minutes") if until else None,
                    notified=[Notice.SUSPENDED.value] if told else [])
    return user


def suspension_text(reason, until):
    """What a suspended person is told: the reason, and the end when there is one."""
    reason = clean_reason(reason) or "no reason given"
    return (f"{reason} (until {until:%Y-%m-%d %H:%M} UTC)" if until else reason)[:Limits.REASON_MAX]


# the ids of the users whose suspension has ended: SQL built once (the dashboard asks on
# every load, and building the query cost more than the index read)
DUE_SUSPENSIONS = Shape(lambda p: User.select(User.id).where(User.suspended_until <= p(0)))


def lift_due_suspensions(now=None):
    """Lift every suspension whose end has come, as the system's act (audited without an
    actor, the person told); returns how many. One short index read when none is due."""
    now = now or utcnow()
    due = [user_id for user_id, in DUE_SUSPENSIONS.rows(now)]
    if not due:
        return 0
    lifted = 0
    for user in User.select().where(User.id.in_(due)):
        with database.atomic():
            if _change(user, User.suspended_until <= now, suspended_at=None,
                       suspended_until=None):
                told = Notification.send(user.id, Notice.RESTORED, text="Your suspension ended.")
                _record(None, Action.RESTORE, user, before="suspended", after="active",
                        reason="The suspension ended.",
                        notified=[Notice.RESTORED.value] if told else [])
                lifted += 1
    return lifted


def restore_user(actor, user, reason=None, undoes=None):
    """Lift a suspension; everything `user` had comes back, and they are told. A moderator
    cannot lift a suspension an admin made (NotAllowed). `undoes`: see undo."""
    require(actor, user)
    suspender = suspended_by(user)
    if suspender is not None and Role.rank_of(suspender) > actor.rank:
        raise NotAllowed(f"{user.username} was suspended by an admin: only an admin can "
                         "restore them.")
    with database.atomic():
        if _change(user, User.suspended_at.is_null(False), suspended_at=None,
                   suspended_until=None):
            told = Notification.send(user.id, Notice.RESTORED, text=clean_reason(reason))
            _record(actor, Action.RESTORE, user, before="suspended", after="active", reason=reason,
                    undoes=undoes, notified=[Notice.RESTORED.value] if told else [])
    return user


def suspended_by(user):
    """The role of whoever made `user`'s latest suspension (from the audit log), or None."""
    Actor = User.alias("actor")
    return (AuditLog.select(Actor.role).join(Actor, on=(AuditLog.actor == Actor.id))
            .where((AuditLog.target_model == "user") & (AuditLog.target_id == str(user.id))
                   & (AuditLog.action == Action.SUSPEND.value))
            .order_by(AuditLog.created.desc(), AuditLog.id.desc()).scalar())


WARN_REPEAT_SECONDS = 10  # the same warning by the same moderator this soon: a double click


def warn_user(actor, user, reason):
    """Warn `user`: a strike with a reason, nothing else changes; they are told. Returns
    the audit entry (every warning is one, even a repeated one, except the same warning
    by the same moderator within WARN_REPEAT_SECONDS: that entry is returned, no second
    strike)."""
    require(actor, user)
    reason = clean_reason(reason)
    if not reason:
        raise NotAllowed("A warning needs a reason: it is what the person is told.")
    with database.atomic():
        since = utcnow() - datetime.timedelta(seconds=WARN_REPEAT_SECONDS)
        for entry in AuditLog.select().where(
                (AuditLog.target_model == Target.USER.value)
                & (AuditLog.target_id == str(user.id)) & (AuditLog.action == Action.WARN.value)
                & (AuditLog.actor == actor.id) & (AuditLog.created >= since)):
            if entry.details.get("reason") == reason:
                return entry
        told = Notification.send(user.id, Notice.WARNED, text=reason)
        return _record(actor, Action.WARN, user, reason=reason,
                       notified=[Notice.WARNED.value] if told else [])


def strikes(user_id):
    """How many warnings `user_id` has had (their audit entries), withdrawn ones not counted."""
    return AuditLog.strikes_of(user_id).scalar()


def set_role(actor, user, role, reason=None, undoes=None):
    """Give `user` the role `role`; admins only, and only roles below their own. Their login
    sessions end: they log in again with the new role. `undoes`: see undo."""
    require(actor, user, minimum=ADMIN)
    if Role.get(role) is None:
        raise NotAllowed(f"Unknown role {role!r}: use one of {', '.join(Role.values())}.")
    if Role(role).rank >= actor.rank:
        raise NotAllowed(f"You can only give roles below your own ({actor.role}).")
    before = user.role
    with database.atomic():
        if _change(user, (User.role == before) & (User.role != role), role=role):
            user.end_sessions(SessionEnd.ROLE)
            _record(actor, Action.SET_ROLE, user, before=before, after=role, reason=reason,
                    undoes=undoes)
    return user


# --- follows and reports ---------------------------------------------------------------
def remove_follow(actor, relationship, reason=None):
    """Delete a follow (acting on the follower); returns None."""
    follower, followed = relationship.from_user, relationship.to_user
    require(actor, follower)
    with database.atomic():
        if Relationship.delete().where(Relationship.id == relationship.id).execute():
            _record(actor, Action.REMOVE_FOLLOW, relationship,
                    before=f"{follower} follows {followed}", after="removed", reason=reason)


def resolve_report(actor, report, outcome, reason=None):
    """Close `report`: outcome "hide" hides the message, "dismiss" leaves it; returns it."""
    if Outcome.get(outcome) is None:
        raise NotAllowed("A report is resolved by hiding the message or dismissing the report.")
    # dismissing is a decision about the author's message too: the same rule as hiding it
    require(actor, report.message.user)
    with database.atomic():
        if not _change(report, Report.resolved_at.is_null(), resolved_at=utcnow(),
                       resolved_by=actor, resolution=outcome):
            raise NotAllowed(f"Report {report.id} is already resolved.")
        if outcome == Outcome.HIDE:
            # without a reason, the report's category names it (its preset: what the author reads)
            hide_message(actor, report.message, reason or Category(report.category).preset)
        # the reporter learns the outcome, not who decided it
        told = Notification.send(report.reporter_id, Notice.REPORT_RESOLVED,
                                 message=report.message_id, text=Outcome(outcome).label)
        _record(actor, Action.RESOLVE_REPORT, report, before="open", after=outcome, reason=reason,
                notified=[Notice.REPORT_RESOLVED.value] if told else [])
    return report


# --- undo --------------------------------------------------------------------------------
def undo(actor, entry, reason=None):
    """Undo the audit entry `entry` (hide, suspend, warn, role change, report resolution) by
    running its inverse verb as `actor`, under that verb's rules; the person affected is
    told as that verb tells them. Returns the undo's own audit entry, which points at
    `entry` (AuditLog.undoes). NotAllowed, with nothing written, when `entry` is not
    reversible, is undone already, its target is gone or changed since, or `actor` may not.
    """
    inverse = _INVERSES.get(entry.action)
    if inverse is None:
        raise NothingToUndo(f"A “{Action(entry.action).label}” entry cannot be undone.")
    if entry.is_undone:
        raise NothingToUndo(f"Audit entry #{entry.id} is already undone.")
    reason = clean_reason(reason) or f"Undoes audit entry #{entry.id}"
    try:
        with database.atomic():
            inverse(actor, entry, reason)
            done = AuditLog.get_or_none(AuditLog.undoes == entry.id)
            if done is None:  # the inverse verb found nothing to change (a race)
                raise NothingToUndo(f"Nothing to undo: the target of entry #{entry.id} "
                                    "changed since.")
    except IntegrityError:  # another undo of the same entry won the unique index
        raise NothingToUndo(f"Audit entry #{entry.id} is already undone.")
    return done


def _target(entry, model):
    """The row `entry` is about, or NotAllowed when it no longer exists."""
    row = model.get_or_none(model.id == int(entry.target_id))
    if row is None:
        raise NothingToUndo(f"The {entry.target_model} of entry #{entry.id} no longer exists.")
    return row


def _superseded(entry):
    """True when a later entry of the same action on the same target exists (the state
    `entry` made has ended and another took its place: undoing `entry` would undo that)."""
    return AuditLog.select().where(
        (AuditLog.target_model == entry.target_model) & (AuditLog.target_id == entry.target_id)
        & (AuditLog.action == entry.action) & (AuditLog.id > entry.id)).exists()


def _undo_hide(actor, entry, reason):
    message = _target(entry, Message)
    if not message.is_hidden or _superseded(entry):
        raise NothingToUndo(f"That hiding of message {message.id} has already ended.")
    unhide_message(actor, message, reason, undoes=entry)


def _undo_suspend(actor, entry, reason):
    user = _target(entry, User)
    if not user.is_suspended or _superseded(entry):
        raise NothingToUndo(f"That suspension of {user.username} has already ended.")
    restore_user(actor, user, reason, undoes=entry)


def _undo_warn(actor, entry, reason):
    user = _target(entry, User)
    require(actor, user)
    told = Notification.send(user.id, Notice.UNWARNED, text=reason)
    _record(actor, Action.UNWARN, user, before=entry.details.get("reason"), after="withdrawn",
            reason=reason, undoes=entry, notified=[Notice.UNWARNED.value] if told else [])


def _undo_set_role(actor, entry, reason):
    user = _target(entry, User)
    before, after = entry.details.get("before"), entry.details.get("after")
    if user.role != after:
        raise NothingToUndo(f"{user.username}'s role changed since (now {user.role}).")
    set_role(actor, user, before, reason, undoes=entry)


def _undo_resolve_report(actor, entry, reason):
    """Reopen the report; when its resolution hid the message, show the message again."""
    report = _target(entry, Report)
    message = report.message
    require(actor, message.user)
    outcome = report.resolution
    if not _change(report, Report.resolved_at.is_null(False), resolved_at=None,
                   resolved_by=None, resolution=None):
        raise NothingToUndo(f"Report {report.id} is open already.")
    if outcome == Outcome.HIDE and message.is_hidden:
        unhide_message(actor, message, f"report #{report.id} reopened")
    _record(actor, Action.REOPEN_REPORT, report, before=outcome, after="open", reason=reason,
            undoes=entry)


_INVERSES = {Action.HIDE: _undo_hide, Action.SUSPEND: _undo_suspend, Action.WARN: _undo_warn,
             Action.SET_ROLE: _undo_set_role, Action.RESOLVE_REPORT: _undo_resolve_report}
assert set(_INVERSES) == REVERSIBLE


def can_undo(actor, entry):
    """True when `entry` is reversible, not undone, and `actor` looks allowed to undo it:
    a moderator; an admin for a role change or an admin's suspension; above the user it is
    about, when the entry comes with that user joined (`entry.target_user`, as the audit
    log's list has it). For showing the button without a query: undo checks everything."""
    if entry.action not in REVERSIBLE or entry.is_undone or not actor.is_moderator:
        return False
    target = getattr(entry, "target_user", None)
    if target is not None and target.id is not None and not can_moderate(actor, target):
        return False
    by = entry.__rel__.get("actor")  # the joined actor, if any (no lazy load)
    admin_made = by is not None and by.id is not None and by.is_admin
    return actor.is_admin or not (entry.action == Action.SET_ROLE
                                  or (entry.action == Action.SUSPEND and admin_made))


# --- appeals ------------------------------------------------------------------------------
def appellant_of(entry):
    """The user an appealable audit entry hit (the warned or suspended user, the hidden
    message's author), or None when gone."""
    if entry.target_model == "user":
        return User.get_or_none(User.id == int(entry.target_id))
    message = Message.get_or_none(Message.id == int(entry.target_id))
    return message.user if message is not None else None


def approve_appeal(actor, appeal, reason=None):
    """Approve `appeal`: undo the action appealed and tell the person; returns the appeal.
    When there is nothing left to undo (undone already, ended, its target gone) the appeal
    is approved all the same. NotAllowed unless `actor` may undo it, or when decided."""
    require(actor, appeal.user)
    if not appeal.is_open:
        raise NotAllowed(f"Appeal {appeal.id} is already {appeal.status}.")
    reason = clean_reason(reason)
    with database.atomic():
        try:
            undo(actor, appeal.action, reason or f"Appeal #{appeal.id} approved")
        except NothingToUndo:
            pass  # the action no longer holds: the person is right, and told so
        _decide(actor, appeal, AppealStatus.APPROVED, reason, Notice.APPEAL_APPROVED,
                Action.APPROVE_APPEAL)
    return appeal


def reject_appeal(actor, appeal, reason):
    """Reject `appeal` with `reason` (required: the person is told it); returns the appeal.
    NotAllowed unless `actor` may moderate the person, or when decided."""
    require(actor, appeal.user)
    reason = clean_reason(reason)
    if not reason:
        raise NotAllowed("Rejecting an appeal needs a reason: it is what the person is told.")
    with database.atomic():
        _decide(actor, appeal, AppealStatus.REJECTED, reason, Notice.APPEAL_REJECTED,
                Action.REJECT_APPEAL)
    return appeal


def _decide(actor, appeal, status, reason, notice, action):
    """Close `appeal` as `status` (only while it is open), tell the person, audit."""
    if not _change(appeal, Appeal.status == AppealStatus.OPEN.value, status=status.value,
                   decided_by=actor, decided_at=utcnow(), decision=reason):
        raise NotAllowed(f"Appeal {appeal.id} is already decided.")  # rolls back
    told = Notification.send(appeal.user_id, notice, text=reason)
    _record(actor, action, appeal, before="open", after=status.value, reason=reason,
            appealed=appeal.action_id, notified=[notice.value] if told else [])


# --- hard delete (admins) ------------------------------------------------------------------
def delete_message(actor, message, reason=None):
    """Delete `message` and the reports on it; returns what was removed, e.g. {"reports": 2}."""
    require(actor, message.user, minimum=ADMIN)
    with database.atomic():
        reports = Message.remove(message.id)
        if reports is None:
            raise NotAllowed(f"Message {message.id} is already deleted.")
        removed = {"messages": 1, "reports": reports}
        _record(actor, Action.DELETE, message, before=message.content, after="deleted", reason=reason,
                removed=removed)
    return removed


def delete_user(actor, user, reason=None):
    """Delete `user` with their messages, follows and reports; returns the counts removed.

    Someone who has moderated keeps their account (the audit log names them):
    suspend them instead.
    """
    require(actor, user, minimum=ADMIN)
    if AuditLog.select().where(AuditLog.actor == user.id).exists():
        raise NotAllowed(f"{user.username} appears in the audit log as a moderator: "
                         "suspend the account instead of deleting it.")
    with database.atomic():
        removed = _delete_user_rows(user)
        if not User.delete().where(User.id == user.id).execute():
            raise NotAllowed(f"{user.username} is already deleted.")  # rolls back
        _record(actor, Action.DELETE, user, before=user.username, after="deleted", reason=reason,
                removed=removed)
    return removed


def _delete_user_rows(user):
    """Delete what belongs to `user` (not the user row); returns counts by kind."""
    own = Message.select(Message.id).where(Message.user == user.id)
    reports = (Report.delete().where(Report.message.in_(own) | (Report.reporter == user.id))
               .execute())
    follows = (Relationship.delete().where((Relationship.from_user == user.id)
                                           | (Relationship.to_user == user.id)).execute())
    Message.update(hidden_by=None).where(Message.hidden_by == user.id).execute()
    Report.update(resolved_by=None).where(Report.resolved_by == user.id).execute()
    LoginSession.delete().where(LoginSession.user == user.id).execute()
    Appeal.delete().where(Appeal.user == user.id).execute()
    Appeal.update(decided_by=None).where(Appeal.decided_by == user.id).execute()
    messages = Message.delete().where(Message.user == user.id).execute()
    return {"messages": messages, "follows": follows, "reports": reports}


__all__ = ["NotAllowed", "NothingToUndo", "require", "can_moderate", "hide_message", "unhide_message",
           "suspend_user", "suspension_end", "restore_user", "lift_due_suspensions", "warn_user", "strikes", "set_role", "remove_follow",
           "resolve_report", "delete_message", "delete_user", "undo", "can_undo",
           "approve_appeal", "reject_appeal", "appellant_of"]
