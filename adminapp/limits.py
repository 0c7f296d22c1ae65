"""Abuse limits (Flask-Limiter): what one account or one address may do per minute.

Every limit is a setting (config.py, from the environment, in Flask-Limiter's
notation such as "10 per minute; 100 per day"); RATELIMIT_ENABLED=0 turns them
all off. The counters live in RATELIMIT_STORAGE_URI: memory:// counts per
worker, redis:// shares them between workers and servers. Over a limit the
answer is 429 with the reason and Retry-After (errors.py).
"""
import time

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits.storage import MemoryStorage

limiter = Limiter(key_func=get_remote_address, default_limits=[])


class SweptMemoryStorage(MemoryStorage):
    """memory://, with its expired counters swept by the request that finds the last sweep
    SWEEP_SECONDS old, instead of by a thread. limits' MemoryStorage starts a new
    threading.Timer (10 ms) on a count whenever the last one has ended: at a thousand
    requests a second, a thread start every few requests, 8% of an API request
    (docs/architecture.md, "Performance"). The counts are the same: reading a counter
    drops it once expired, whoever sweeps. Registered under memory://, which it replaces."""
    STORAGE_SCHEME = ["memory"]
    SWEEP_SECONDS = 1.0
    swept_at = 0.0

    def _MemoryStorage__schedule_expiry(self):
        # the name MemoryStorage's counting calls (its private __schedule_expiry)
        now = time.monotonic()
        if now - self.swept_at >= self.SWEEP_SECONDS:
            self.swept_at = now
            self._MemoryStorage__expire_events()


def address_key():
    """The client's address (the proxy's client when TRUSTED_PROXIES is set: security.py)."""
    return "ip:" + (get_remote_address() or "?")


def account_key():
    """The logged-in account, else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return address_key()


def submitted_username():
    """The username a login form (or the API's token request) names, as the login checks
    it (trimmed, any case)."""
    name = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return (name if isinstance(name, str) else "").strip().lower()


def username_key():
    return "login-user:" + submitted_username()


def username_address_key():
    return f"login-user-ip:{submitted_username()}:{address_key()}"


def limit(setting, key, what, methods=("POST",), **options):
    """Decorator: POSTs (or `methods`) to the view count against the limit in
    app.config[setting], per `key` (a function above); over it, 429 saying `what` was
    limited."""
    return limiter.limit(lambda: current_app.config[setting], key_func=key,
                         methods=list(methods), error_message=what, **options)


def init_app(app):
    limiter.init_app(app)
