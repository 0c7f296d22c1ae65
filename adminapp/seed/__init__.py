"""Demo data for tweepee: users, follows, messages and open reports, from a few rows to millions.

`seed_data.py` at the repository root and `flask --app adminapp seed` run it
from the command line (adminapp.seed.command); code calls `seed()`.

The same seed and the same anchor (`now`, --now) give the same rows (but for the
moderation timestamps: the verbs stamp the real time); each phase draws from its
own `random.Random(f"{seed}:<phase>")`. Text comes from Faker, but through a pool
made once per run (text.py): a Faker sentence costs tens of microseconds, so a
million of them would take most of a minute; composing messages from the pool
costs a few; its pieces are checked once against a message's rules. Rows go in as
tuples of stored values with multi-row INSERTs written once per table, in chunks,
many chunks per transaction (bulk.py), and are streamed from generators so memory
stays flat whatever the number of messages. On SQLite the whole seed runs without
fsync, with the rollback journal in memory and the file locked once
(bulk.tuned_for_load; the site's pragmas come back after). The indexes of the
bulk-loaded tables are dropped and built again after their rows (bulk.without_indexes),
the counters recounted and the full-text index built once at the end.

One module a kind of row: people.py, follows.py, messages.py (replies among them),
likes.py, reports.py, notifications.py (those of the last two weeks). A few
users are suspended and a few messages hidden through the moderation verbs (with
their audit rows: moderation.py), and about 0.1% of the messages carry an open
report, so the back office has work.

Every seeded user, the three demo accounts included, has the demo password:
one scrypt hash is computed and shared, since hashing per user would take minutes.
"""
import time
from collections import namedtuple
from random import Random

from faker import Faker

from adminapp import counters, db, search
from adminapp.models import (Message, MessageLike, MessageTag, Notification, Relationship, Report,
                             User, clean_password)
from adminapp.passwords import hash_password

from .bulk import phase, reset_tables, tuned_for_load, without_indexes
from .clock import anchor_time
from .follows import DEMO_FOLLOWS, load_follows
from .likes import load_likes
from .messages import MESSAGE_SPAN, load_messages
from .moderation import MIN_HIDDEN, moderate
from .notifications import load_notifications
from .people import DEMO_ACCOUNTS, insert_people, make_people
from .reports import MIN_REPORTS, load_reports
from .text import make_pool

__all__ = ["DEMO_ACCOUNTS", "DEMO_FOLLOWS", "DEMO_PASSWORD", "MESSAGE_SPAN", "MIN_HIDDEN",
           "MIN_REPORTS", "NotEmpty", "is_empty", "load", "seed", "summary"]

DEMO_PASSWORD = "tweepee-demo"

# The tables loaded in bulk, whose indexes are built after their rows (bulk.without_indexes).
LOADED = [Relationship, Message, MessageTag, MessageLike, Report, Notification]
# What every loading phase needs: the seed, the time anchor, the text pool and the people.
Plan = namedtuple("Plan", "seed anchor pool people ids")


class NotEmpty(Exception):
    """The database already has users and no reset was asked for."""


def is_empty():
    """True when the user table has no rows (the tables must exist)."""
    return not User.select().exists()


def seed(users, messages, follows, seed=1, reset=False, demo_password=DEMO_PASSWORD, now=None,
         progress=True):
    """Fill the connected database with demo data; returns the figures as a dict.

    Keys: users, follows, messages, replies, likes, reports, notifications, hidden, suspended,
    seconds, messages_per_second.
    Call it outside any transaction: it commits as it goes.
    Raises NotEmpty when there are users already and `reset` is false, ValueError on
    bad figures and models.ValidationError on a too short demo password.
    """
    if users < len(DEMO_ACCOUNTS) or messages < 0 or follows < 0:
        raise ValueError(f"need at least {len(DEMO_ACCOUNTS)} users and no negative figures")
    anchor = anchor_time(now)
    started = time.perf_counter()
    # One scrypt hash for everyone (~50 ms): hashing a password per user would take minutes.
    password_hash = hash_password(clean_password(demo_password))
    if not reset and not is_empty():
        raise NotEmpty("The database already has users: run again with --reset to replace "
                       "them with a fresh demo set.")
    # the full-text index is built once at the end (and the counters recounted), not row
    # by row: an FTS5 insert per row made a message insert 14 times slower
    with tuned_for_load():
        with search.suspended(), counters.suspended():
            if reset:
                reset_tables()
            figures = load(seed, users, messages, follows, anchor, password_hash, progress)
        db.refresh_statistics()
    seconds = time.perf_counter() - started
    figures.update(seconds=round(seconds, 2), messages_per_second=round(messages / seconds))
    return figures


def load(seed, users, messages, follows, anchor, password_hash, progress):
    """Insert users, follows, messages (replies among them), likes and reports; returns
    their counts as a dict."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    pool = make_pool(fake)
    people = make_people(Random(f"{seed}:people"), pool, users, anchor)
    with phase("users", users, progress) as bar:
        ids = insert_people(people, password_hash, bar)
    plan = Plan(seed, anchor, pool, people, ids)
    figures = {"users": len(ids)}
    # the moderation verbs come after the indexes: they read as the site does
    with without_indexes(LOADED, progress):
        figures["follows"] = load_follows(plan, follows, progress)
        figures["messages"] = load_messages(plan, messages, progress)
        figures["replies"] = Message.select().where(Message.in_reply_to.is_null(False)).count()
        figures["likes"] = load_likes(plan, messages, progress)
        figures["reports"] = load_reports(plan, messages, progress)
        figures["notifications"] = load_notifications(plan)
    figures.update(moderate(plan, messages, progress))
    return figures


def summary(figures, demo_password=DEMO_PASSWORD):
    """Return the text printed after seeding: the figures, the rate and the demo logins."""
    width = max(8, len(demo_password))
    lines = [
        f"Seeded {figures['users']:,} users, {figures['follows']:,} follows, "
        f"{figures['messages']:,} messages ({figures['replies']:,} replies), "
        f"{figures['likes']:,} likes and {figures['reports']:,} open reports "
        f"in {figures['seconds']:.1f} s ({figures['messages_per_second']:,} messages/s).",
        f"Moderated (see /admin/auditlog/): {figures['hidden']:,} hidden "
        f"message{'' if figures['hidden'] == 1 else 's'}, {figures['suspended']:,} suspended "
        f"user{'' if figures['suspended'] == 1 else 's'}, {figures['warned']:,} warned; "
        f"{figures['appeals']:,} appeals, {figures['appeals_waiting']:,} waiting "
        "(see /admin/appeal/).",
        "",
        f"Log in with (every seeded user has the password {demo_password!r}):",
        f"  {'username':<10} {'password':<{width}}  role",
    ]
    lines += [f"  {name:<10} {demo_password:<{width}}  {role}" for name, role in DEMO_ACCOUNTS]
    return "\n".join(lines)
