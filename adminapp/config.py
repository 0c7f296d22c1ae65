"""Configuration from the environment.

Every setting can come from an environment variable of the same name; the
defaults give a working site with nothing to install (SQLite in `instance/`).
"""
import os


def env_flag(name, default=False):
    """True when the environment variable `name` is set to 1/true/yes/on."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    # None means: read instance/secret_key, creating it on first start (security.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # None means: sqlite:///<instance>/tweepee.db
    DATABASE_URL = os.environ.get("DATABASE_URL") or None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE")

    # werkzeug's scrypt (memory-hard): N=2**15, r=8, p=1, about 32 MiB per hash.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:1")

    # Flask-Limiter: memory:// is per worker; point it at redis:// to share limits.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # sites sharing one Redis keep their counters apart with different prefixes
    # (Flask-Limiter keeps the first non-empty prefix it is given, for every app)
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_USERNAME = os.environ.get("LOGIN_LIMIT_PER_USERNAME", "5 per minute")
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per minute")

    MESSAGES_PER_PAGE = 20
    USERS_PER_PAGE = 30
    # Avatars come from Gravatar (https); the initials avatar shows beneath while
    # it loads, when the person has none, and on machines without internet.
    GRAVATAR = env_flag("GRAVATAR", True)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    # Same algorithm with a small cost, so a suite with hundreds of logins stays quick.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    RATELIMIT_STORAGE_URI = "memory://"
    GRAVATAR = False
