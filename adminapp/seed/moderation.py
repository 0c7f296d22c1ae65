"""The back office's history: a few users suspended and a few messages hidden by `moderator`,
through the moderation verbs of adminapp.moderation (so each has its audit row).
"""
from random import Random

from adminapp.moderation import hide_message, suspend_user
from adminapp.models import Message, User
from adminapp.vocabulary import REASON_PRESETS, Role

from .bulk import batched, chunk_size, phase
from .reports import sample_message_ids
from .text import pick

HIDE_RATE = 0.0005
MIN_HIDDEN = 3
SUSPEND_RATE = 0.005


def moderate(plan, messages, progress):
    """Suspend a few users and hide a few messages, as `moderator`, through the moderation verbs.

    Returns {"suspended": n, "hidden": m}. Each verb is a transaction with its audit row,
    stamped with the real time: the back office has history and work to do.
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
    return {"suspended": len(suspended), "hidden": len(hideable)}


def hideable_messages(ids):
    """Return the messages among `ids` a moderator may hide: by plain users other than demo."""
    by_members = (User.role == Role.USER.value) & (User.username != "demo")
    found = []
    for chunk in batched(ids, chunk_size(1)):
        found.extend(Message.select(Message, User).join(User, on=(Message.user == User.id))
                     .where(Message.id.in_(chunk) & by_members).order_by(Message.id))
    return found
