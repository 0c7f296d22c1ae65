"""The public site: timelines, profiles, follow/unfollow, posting, reports, settings."""
import time

from flask import current_app

from .. import feeds, moderation, search
from .rows import message_row, message_rows, notice_rows
from .views import bp


_next_lift = [0.0]


def lift_due_suspensions():
    """Lift the timed suspensions whose end has come, at most every SUSPENSION_CHECK_SECONDS
    per worker (one short index read; 0: only at login and on the dashboard): no process
    has to run for them to end on time."""
    every, now = current_app.config.get("SUSPENSION_CHECK_SECONDS", 60), time.monotonic()
    if every and now >= _next_lift[0]:
        _next_lift[0] = now + every
        moderation.lift_due_suspensions()


def init_app(app):
    """Register the public blueprint and the moderation test its templates use."""
    # templates show moderation buttons only where the verb would allow them
    app.add_template_global(moderation.can_moderate)
    app.add_template_global(message_row)
    app.add_template_global(message_rows)
    app.add_template_global(notice_rows)
    app.add_template_filter(search.mark, "mark")
    app.add_template_global(feeds.visible_to)
    app.before_request(lift_due_suspensions)
    app.register_blueprint(bp)
