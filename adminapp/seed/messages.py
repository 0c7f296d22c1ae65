"""The messages: over MESSAGE_SPAN at a growing rate, oldest first, by people who had joined;
about REPLY_SHARE of them answer a recent message (threads a few levels deep), half of
those starting with "@author", and a few others name someone by @name.
"""
import bisect
import datetime
import itertools
import math
from random import Random

from peewee import fn

from adminapp import db
from adminapp.db import database
from adminapp.formatting import tags_in
from adminapp.models import Message, MessageTag
from adminapp.vocabulary import Limits

from .bulk import insert_rows, phase
from .text import compose

REPLY_SHARE = 0.3
# a reply answers one of the REPLY_WINDOW messages before it, most often one of the last
# few hundred (an exponential draw: conversations happen while a message is fresh)
REPLY_WINDOW = 5000
REPLY_MEAN_DISTANCE = 300
REPLY_MENTION_SHARE = 0.5   # of the replies start with "@author "
MENTION_SHARE = 0.03        # of the other messages name someone who had joined

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


def message_rows(rng, pool, people, ids, count, anchor, first_id, tags=None):
    """Yield (id, user_id, content, pub_date, in_reply_to_id, in_reply_to_user_id, mentions)
    tuples, oldest first, by people who had joined by then, ids from `first_id` on; the
    (tag, message id) of their hashtags are appended to the list `tags`, when given."""
    cum_weights = list(itertools.accumulate(p.weight for p in people))
    join_dates = [p.join_date for p in people]
    recent = []  # the authors (positions in `people`) of the last REPLY_WINDOW messages
    joined = 0
    for n, pub_date in enumerate(message_times(rng, count, anchor)):
        if joined < len(people) and join_dates[joined] <= pub_date:
            joined = bisect.bisect_right(join_dates, pub_date, joined)
        weight = rng.random() * cum_weights[joined - 1]
        author = bisect.bisect_right(cum_weights, weight, 0, joined - 1)
        parent = named = None
        if n and rng.random() < REPLY_SHARE:
            back = min(n, REPLY_WINDOW, 1 + int(rng.expovariate(1 / REPLY_MEAN_DISTANCE)))
            parent, named = first_id + n - back, recent[(n - back) % REPLY_WINDOW]
        if len(recent) < REPLY_WINDOW:
            recent.append(author)
        else:
            recent[n % REPLY_WINDOW] = author
        text, mention = compose(rng, pool), None
        if parent is not None and rng.random() < REPLY_MENTION_SHARE:
            mention = people[named].username
        elif parent is None and rng.random() < MENTION_SHARE:
            mention = people[rng.randrange(joined)].username
        if mention is not None:
            text = f"@{mention} " + text[:Limits.MESSAGE_MAX - len(mention) - 2]
        # no clean_content per message: the pool's pieces were checked once (text.checked),
        # and names are usernames; this trims as it would
        text = text.strip()
        if tags is not None and "#" in text:
            tags.extend((tag, first_id + n) for tag in tags_in(text))
        yield (first_id + n, ids[author], text, pub_date, parent,
               None if parent is None else ids[named], mention and mention.lower())


def load_messages(plan, count, progress):
    """Insert `count` messages, oldest first, with ids of our own (so that a reply names
    its parent as it goes in), then their hashtags (message_tag, as User.post stores
    them); returns how many messages."""
    first_id = (Message.select(fn.MAX(Message.id)).scalar() or 0) + 1
    tags = []
    rows = message_rows(Random(f"{plan.seed}:messages"), plan.pool, plan.people, plan.ids,
                        count, plan.anchor, first_id, tags)
    fields = [Message.id, Message.user, Message.content, Message.pub_date, Message.in_reply_to,
              Message.in_reply_to_user, Message.mentions]
    with phase("messages", count, progress) as bar:
        total = insert_rows(Message, fields, rows, bar)
    tags.sort()  # in primary-key order: the key's b-tree is written from left to right
    with phase("tags", len(tags), progress) as bar:
        insert_rows(MessageTag, [MessageTag.tag, MessageTag.message], tags, bar)
    if not db.is_sqlite():  # the next message the site posts takes the next id
        database.execute_sql("SELECT setval(pg_get_serial_sequence('message', 'id'), "
                             "(SELECT MAX(id) FROM message))")
    return total
