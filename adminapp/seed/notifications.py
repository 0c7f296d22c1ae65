"""The notifications of the last NOTIFIED_DAYS: replies, mentions, likes and follows, as the
site would have sent them, each kind one INSERT ... SELECT over its table. Older activity
has none, as if they had been cleared; those older than a day are read.
"""
import datetime

from adminapp.db import database
from adminapp.models import Notification

NOTIFIED_DAYS = 14
READ_AFTER = datetime.timedelta(days=1)

# (recipient, kind, actor, message, created) of each kind of event since the parameter
EVENTS = [
    # replies, to the author of the message answered (not yourself)
    """SELECT in_reply_to_user_id AS recipient, 'reply' AS kind, user_id AS actor,
              id AS message, pub_date AS created FROM message
       WHERE in_reply_to_user_id IS NOT NULL AND in_reply_to_user_id <> user_id
         AND pub_date >= {p}""",
    # mentions, but of the author answered (the reply tells them) and of oneself
    """SELECT u.id AS recipient, 'mention' AS kind, m.user_id AS actor, m.id AS message,
              m.pub_date AS created FROM message m
       JOIN "user" u ON lower(u.username) = m.mentions
       WHERE m.mentions IS NOT NULL AND m.pub_date >= {p} AND u.id <> m.user_id
         AND (m.in_reply_to_user_id IS NULL OR m.in_reply_to_user_id <> u.id)""",
    # likes, to the author of the message liked
    """SELECT m.user_id AS recipient, 'like' AS kind, l.user_id AS actor,
              l.message_id AS message, l.created AS created
       FROM message_like l JOIN message m ON m.id = l.message_id WHERE l.created >= {p}""",
    # follows, to the person followed
    """SELECT to_user_id AS recipient, 'follow' AS kind, from_user_id AS actor,
              CAST(NULL AS INTEGER) AS message, created FROM relationship
       WHERE created >= {p}""",
]


def load_notifications(plan):
    """Insert the notifications of the NOTIFIED_DAYS before the anchor; returns how many."""
    since = plan.anchor - datetime.timedelta(days=NOTIFIED_DAYS)
    p = database.obj.param
    with database.atomic():
        for events in EVENTS:
            database.execute_sql(
                "INSERT INTO notification (recipient_id, kind, actor_id, message_id, created, "
                f"read_at) SELECT recipient, kind, actor, message, created, "
                f"CASE WHEN created < {p} THEN created END FROM ({events.format(p=p)}) AS e",
                (plan.anchor - READ_AFTER, since))
    return Notification.select().count()
