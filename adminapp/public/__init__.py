"""The public site: timelines, profiles, follow/unfollow, posting, reports, settings."""
from .. import moderation
from . import filters


def init_app(app):
    """Register the public blueprint, the template filters and the moderation test."""
    from .views import bp

    filters.init_app(app)
    # templates show moderation buttons only where the verb would allow them
    app.add_template_global(moderation.can_moderate)
    app.register_blueprint(bp)
