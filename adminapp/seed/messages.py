"""The messages: over MESSAGE_SPAN at a growing rate, oldest first, by people who had joined."""
import bisect
import datetime
import itertools
import math
from random import Random

from adminapp.models import Message, clean_content

from .bulk import insert_rows, phase
from .text import compose

MESSAGE_SPAN = datetime.timedelta(days=60)
NEWEST_AGE = datetime.timedelta(minutes=3)
GROWTH = 1.0  # the posting rate doubles over the message span: a site that is growing


def spread(fraction):
    """Map a share of the messages (0-1) to a share of the time span: the rate grows by GROWTH."""
    # The cumulative count is t + GROWTH*t^2/2 (normalised); this is its inverse.
    total = 1 + GROWTH / 2
    return (math.sqrt(1 + 2 * GROWTH * fraction * total) - 1) / GROWTH


def message_times(rng, count, anchor):
    """Yield `count` increasing datetimes over MESSAGE_SPAN, the last NEWEST_AGE before `anchor`."""
    start = anchor - MESSAGE_SPAN
    span = (MESSAGE_SPAN - NEWEST_AGE).total_seconds()
    second = datetime.timedelta(seconds=1)
    for i in range(count):
        # One jittered slot per message keeps the times sorted without holding them all.
        fraction = 1.0 if i == count - 1 else (i + rng.random()) / count
        yield start + second * round(span * spread(fraction))


def message_rows(rng, pool, people, ids, count, anchor):
    """Yield (user_id, content, pub_date) tuples, oldest first, by people who had joined by then."""
    cum_weights = list(itertools.accumulate(p.weight for p in people))
    join_dates = [p.join_date for p in people]
    joined = 0
    for pub_date in message_times(rng, count, anchor):
        if joined < len(people) and join_dates[joined] <= pub_date:
            joined = bisect.bisect_right(join_dates, pub_date, joined)
        weight = rng.random() * cum_weights[joined - 1]
        author = bisect.bisect_right(cum_weights, weight, 0, joined - 1)
        yield ids[author], clean_content(compose(rng, pool)), pub_date


def load_messages(plan, count, progress):
    """Insert `count` messages, oldest first; returns how many."""
    rows = message_rows(Random(f"{plan.seed}:messages"), plan.pool, plan.people, plan.ids,
                        count, plan.anchor)
    with phase("messages", count, progress) as bar:
        return insert_rows(Message, [Message.user, Message.content, Message.pub_date], rows, bar)
