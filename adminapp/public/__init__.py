"""The public site: timelines, profiles, follow/unfollow, posting, reports, settings."""
from . import filters


def init_app(app):
    """Register the public blueprint and the template filters."""
    from .views import bp

    filters.init_app(app)
    app.register_blueprint(bp)
