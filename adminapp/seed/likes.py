"""The likes, skewed as on every social site: most messages get none, a few get most of
them (a Pareto draw per liked message), each from people who had joined by then."""
import bisect
import datetime
from random import Random

from peewee import fn

from adminapp.db import database
from adminapp.models import Message, MessageLike

from .bulk import batched, chunk_size, insert_rows, phase

LIKED_SHARE = 0.2   # of the messages get at least one like
LIKE_SKEW = 1.6     # Pareto shape: a smaller one gives the popular messages more
MAX_LIKES = 500
LIKE_DELAY = datetime.timedelta(hours=6)  # likes come within hours of the message
READ_CHUNK = 10_000


def liked_messages(rng):
    """Yield (id, user_id, pub_date) of the messages that get likes (LIKED_SHARE of them,
    drawn in id order), read READ_CHUNK ids a query: only those rows are read and
    converted, and no cursor is held open while the likes are written."""
    low, high = Message.select(fn.MIN(Message.id), fn.MAX(Message.id)).tuples().get()
    for start in range(low or 0, (high or -1) + 1, READ_CHUNK):
        ids = [i for i in range(start, min(start + READ_CHUNK, high + 1))
               if rng.random() < LIKED_SHARE]
        for chunk in batched(ids, chunk_size(1)):
            yield from messages_by_id(chunk)


def messages_by_id(ids):
    """Yield (id, user_id, pub_date as a datetime) of the messages `ids`, in id order.

    Plain SQL, each date read with datetime.fromisoformat: peewee's conversion of the
    rows (its date parser above all) took 4.3 s of the 1,000,000-message seed's likes."""
    marks = ", ".join([database.obj.param] * len(ids))
    cursor = database.execute_sql(
        f"SELECT id, user_id, pub_date FROM message WHERE id IN ({marks}) ORDER BY id", ids)
    for message_id, author_id, pub_date in cursor.fetchall():
        if isinstance(pub_date, str):  # SQLite stores text; PostgreSQL gives a datetime
            pub_date = datetime.datetime.fromisoformat(pub_date)
        yield message_id, author_id, pub_date


def like_rows(rng, people, ids, messages, anchor):
    """Yield (user_id, message_id, created): who liked which of `messages`, when."""
    join_dates = [p.join_date for p in people]
    for message_id, author_id, pub_date in messages:
        joined = bisect.bisect_right(join_dates, pub_date)
        wanted = min(MAX_LIKES, int(rng.paretovariate(LIKE_SKEW)), joined)
        for liker in rng.sample(range(joined), wanted):
            if ids[liker] != author_id:
                created = pub_date + min(anchor - pub_date, LIKE_DELAY) * rng.random()
                yield ids[liker], message_id, created.replace(microsecond=0)


def load_likes(plan, messages, progress):
    """Insert the likes of the seeded messages; returns how many."""
    liked = liked_messages(Random(f"{plan.seed}:liked"))
    rows = like_rows(Random(f"{plan.seed}:likes"), plan.people, plan.ids, liked, plan.anchor)
    fields = [MessageLike.user, MessageLike.message, MessageLike.created]
    with phase("likes", None, progress) as bar:
        return insert_rows(MessageLike, fields, rows, bar)
