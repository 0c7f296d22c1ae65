"""The back office's history: a few users suspended, warned and a few messages hidden by
`moderator`, some of those actions appealed (a few appeals waiting, one approved, one
rejected), all through the moderation verbs of adminapp.moderation and Appeal.file (so
each has its audit row and its notices).
"""
from random import Random

from adminapp.moderation import (appellant_of, approve_appeal, hide_message, reject_appeal,
                                 suspend_user, warn_user)
from adminapp.models import Appeal, AuditLog, Message, User
from adminapp.vocabulary import REASON_PRESETS, Role

from .bulk import batched, chunk_size, phase
from .reports import sample_message_ids
from .text import pick

HIDE_RATE = 0.0005
MIN_HIDDEN = 3
SUSPEND_RATE = 0.005
WARN_RATE = 0.01
MIN_WARNED = 2
MIN_APPEALS = 4  # when there are that many actions: one approved, one rejected, the rest wait
APPEAL_TEXTS = ("I did not mean it that way. Please look again.",
                "That account was not me: someone used my password.",
                "This was a joke between friends, not abuse.",
                "I have removed the links. Could you restore it?",
                "I think you confused me with someone else.")


def moderate(plan, messages, progress):
    """Suspend a few users and hide a few messages, as `moderator`, through the moderation verbs.

    Returns {"suspended": n, "hidden": m, "warned": w, "appeals": a, "appeals_waiting": o}.
    Each verb is a transaction with its audit row, stamped with the real time: the back
    office has history and work to do.
    """
    rng = Random(f"{plan.seed}:moderation")
    moderator = User.get(User.username == "moderator")
    members = [user_id for user_id, p in zip(plan.ids, plan.people)
               if p.role == Role.USER and p.username != "demo"]
    suspended = rng.sample(members, min(len(members), max(1, round(len(members) * SUSPEND_RATE))))
    # twice the candidates: some are by staff or demo, whom the moderator leaves alone
    wanted = min(messages, max(MIN_HIDDEN, round(messages * HIDE_RATE)))
    candidates = sample_message_ids(rng, messages, 2 * HIDE_RATE, 2 * MIN_HIDDEN)
    hideable = hideable_messages(candidates)
    hideable = sorted(rng.sample(hideable, min(wanted, len(hideable))), key=lambda m: m.id)
    with phase("moderate", len(suspended) + len(hideable), progress) as bar:
        for user in User.select().where(User.id.in_(suspended)).order_by(User.id):
            suspend_user(moderator, user, pick(rng, REASON_PRESETS))
            bar.update()
        for message in hideable:
            hide_message(moderator, message, pick(rng, REASON_PRESETS))
            bar.update()
    others = sorted(set(members) - set(suspended))
    warned = rng.sample(others, min(len(others), max(MIN_WARNED, round(len(members) * WARN_RATE))))
    for user in User.select().where(User.id.in_(warned)).order_by(User.id):
        warn_user(moderator, user, pick(rng, REASON_PRESETS))
    appeals = appeal_some(rng, moderator)
    waiting = sum(appeal.is_open for appeal in appeals)
    return {"suspended": len(suspended), "hidden": len(hideable), "warned": len(warned),
            "appeals": len(appeals), "appeals_waiting": waiting}


def appeal_some(rng, moderator):
    """Have the people hit by about half of `moderator`'s actions (at least MIN_APPEALS)
    appeal them; `moderator` approves one appeal of a warning (the strike is withdrawn) and
    rejects another. Returns the appeals."""
    entries = list(AuditLog.select().where(AuditLog.actor == moderator.id).order_by(AuditLog.id))
    chosen = sorted(rng.sample(entries, min(len(entries), max(MIN_APPEALS, len(entries) // 2))),
                    key=lambda entry: entry.id)
    appeals = []
    for entry in chosen:
        appeals.append(Appeal.file(appellant_of(entry), entry.id, pick(rng, APPEAL_TEXTS)))
    if len(appeals) >= MIN_APPEALS:
        warnings = [a for a in appeals if a.action.action == "warn"]
        approved = warnings[0] if warnings else None
        if approved is not None:
            approve_appeal(moderator, approved, "You are right: the warning is withdrawn.")
        rejected = next(a for a in appeals if a is not approved)
        reject_appeal(moderator, rejected, "The moderators looked again and the decision stands.")
    return appeals


def hideable_messages(ids):
    """Return the messages among `ids` a moderator may hide: by plain users other than demo."""
    by_members = (User.role == Role.USER.value) & (User.username != "demo")
    found = []
    for chunk in batched(ids, chunk_size(1)):
        found.extend(Message.select(Message, User).join(User, on=(Message.user == User.id))
                     .where(Message.id.in_(chunk) & by_members).order_by(Message.id))
    return found
