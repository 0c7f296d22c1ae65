"""tweepee: a twitter-like public site with a moderation back office."""
from apiflask import APIFlask

from . import (admin, api, auth, cli, db, errors, formatting, limits, links, mail, public,
               security, vocabulary)
from .config import Config


class Tweepee(APIFlask):
    """APIFlask, asking once per function whether it is async. Flask asks
    inspect.iscoroutinefunction of every hook and view it calls, on every request (18
    times a page, about 3% of a timeline's time); the answer never changes."""
    SYNC_KEPT = 1000  # answers kept (a bound method of a short-lived object is a new key)

    def ensure_sync(self, func):
        kept = self.__dict__.setdefault("_sync_kept", {})
        sync = kept.get(func)
        if sync is None:
            if len(kept) >= self.SYNC_KEPT:
                kept.clear()
            sync = kept[func] = super().ensure_sync(func)
        return sync


def create_app(config=None, instance_path=None):
    """Build the app: configuration, then one init call per part."""
    # APIFlask is a Flask that writes the API's OpenAPI document (api/); the rest is Flask
    app = Tweepee(__name__, template_folder="../templates", instance_path=instance_path,
                  **api.FRAMEWORK)
    app.config.from_object(Config)
    app.config.from_mapping(config or {})
    security.init_app(app)
    limits.init_app(app)
    mail.init_app(app)
    db.init_app(app)
    vocabulary.init_app(app)
    formatting.init_app(app)
    links.init_app(app)
    auth.init_app(app)
    public.init_app(app)
    admin.init_admin(app)
    api.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
