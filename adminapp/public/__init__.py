"""The public site: timelines, profiles, follow/unfollow, posting, reports, settings."""
from .. import feeds, moderation
from .rows import message_row, message_rows
from .views import bp


def init_app(app):
    """Register the public blueprint and the moderation test its templates use."""
    # templates show moderation buttons only where the verb would allow them
    app.add_template_global(moderation.can_moderate)
    app.add_template_global(message_row)
    app.add_template_global(message_rows)
    app.add_template_global(feeds.visible_to)
    app.register_blueprint(bp)
