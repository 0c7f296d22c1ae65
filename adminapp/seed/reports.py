"""The open reports: about REPORT_RATE of the messages, each reported once by someone else;
and sampling messages by position, which the moderation phase uses too.
"""
import bisect
import datetime
from random import Random

from peewee import fn

from adminapp.models import Message, Report
from adminapp.vocabulary import Category

from .bulk import batched, chunk_size, insert_rows, phase

REPORT_RATE = 0.001
MIN_REPORTS = 5
REPORT_DELAY = datetime.timedelta(days=1)
REPORT_WEIGHTS = {Category.SPAM: 55, Category.ABUSE: 25, Category.ILLEGAL: 5, Category.OTHER: 15}


def message_ids_at(positions):
    """Return the ids of the messages at 0-based `positions` in id order (sorted positions)."""
    low, high, count = Message.select(fn.MIN(Message.id), fn.MAX(Message.id),
                                      fn.COUNT(Message.id)).tuples().get()
    if count and high - low + 1 == count:  # no gaps: the usual case, one writer
        return [low + p for p in positions]
    wanted = set(positions)
    ids = Message.select(Message.id).order_by(Message.id).tuples().iterator()
    return [mid for n, (mid,) in enumerate(ids) if n in wanted]


def sample_message_ids(rng, count, share, minimum):
    """Return the ids of `share` of the `count` messages (at least `minimum`), in id order."""
    wanted = min(count, max(minimum, round(count * share))) if count else 0
    return message_ids_at(sorted(rng.sample(range(count), wanted)))


def reported_messages(rng, count):
    """Return (id, user_id, pub_date) of REPORT_RATE of the `count` messages (see REPORT_RATE)."""
    ids = sample_message_ids(rng, count, REPORT_RATE, MIN_REPORTS)
    rows = []
    for chunk in batched(ids, chunk_size(1)):
        rows.extend(Message.select(Message.id, Message.user, Message.pub_date)
                    .where(Message.id.in_(chunk)).order_by(Message.id).tuples())
    return rows


def report_rows(rng, pool, people, ids, messages, anchor):
    """Yield (reporter_id, message_id, category, note, created): one open report per message.

    The reporter is someone other than the author who had joined before the message.
    """
    join_dates = [p.join_date for p in people]
    categories = [category.value for category in REPORT_WEIGHTS]  # plain text, as stored
    weights = list(REPORT_WEIGHTS.values())
    for message_id, author_id, pub_date in messages:
        joined = max(2, bisect.bisect_right(join_dates, pub_date))
        reporter = rng.randrange(joined)
        if ids[reporter] == author_id:
            reporter = (reporter + 1) % joined
        created = pub_date + min(anchor - pub_date, REPORT_DELAY) * rng.random()
        yield (ids[reporter], message_id, rng.choices(categories, weights)[0],
               rng.choice(pool.notes), created.replace(microsecond=0))


def load_reports(plan, messages, progress):
    """Insert open reports on about REPORT_RATE of the messages; returns how many."""
    rng = Random(f"{plan.seed}:reports")
    reported = reported_messages(rng, messages)
    rows = report_rows(rng, plan.pool, plan.people, plan.ids, reported, plan.anchor)
    fields = [Report.reporter, Report.message, Report.category, Report.note, Report.created]
    with phase("reports", len(reported), progress) as bar:
        return insert_rows(Report, fields, rows, bar)
