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

    # Behind N reverse proxies, trust N hops of X-Forwarded-For/-Proto (werkzeug's ProxyFix);
    # 0 (the default) trusts none: every client is the address that connected.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or 0)
    # Nothing the site takes is bigger: a longer body is refused (413) before it is parsed.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH") or 64 * 1024)

    # Flask-Limiter (limits.py): memory:// is per worker; point it at redis:// to share limits.
    RATELIMIT_ENABLED = env_flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # sites sharing one Redis keep their counters apart with different prefixes
    # (Flask-Limiter keeps the first non-empty prefix it is given, for every app)
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins: strictly per (username, address), loosely per username, so that
    # nobody can lock a person out from one address, nor everyone behind one address.
    LOGIN_LIMIT_PER_USERNAME_AND_IP = os.environ.get("LOGIN_LIMIT_PER_USERNAME_AND_IP",
                                                     "5 per minute; 20 per hour")
    LOGIN_LIMIT_PER_USERNAME = os.environ.get("LOGIN_LIMIT_PER_USERNAME", "50 per hour")
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "200 per hour")
    JOIN_LIMIT_PER_IP = os.environ.get("JOIN_LIMIT_PER_IP", "10 per hour; 50 per day")
    POST_LIMIT_PER_USER = os.environ.get("POST_LIMIT_PER_USER", "10 per minute; 300 per day")
    REPORT_LIMIT_PER_USER = os.environ.get("REPORT_LIMIT_PER_USER", "10 per minute; 100 per day")
    FOLLOW_LIMIT_PER_USER = os.environ.get("FOLLOW_LIMIT_PER_USER", "30 per minute; 400 per day")
    # wrong current passwords in /settings/
    PASSWORD_LIMIT_PER_USER = os.environ.get("PASSWORD_LIMIT_PER_USER", "5 per minute")
    RESET_LIMIT_PER_IP = os.environ.get("RESET_LIMIT_PER_IP", "5 per hour")
    # every request to the JSON API, per token's account (without a token: per address)
    API_LIMIT_PER_TOKEN = os.environ.get("API_LIMIT_PER_TOKEN", "300 per minute; 20000 per day")

    # Timed suspensions end by themselves: checked at login, on the dashboard and, at most
    # this often per worker, before a request (one short index read); 0: not on requests.
    SUSPENSION_CHECK_SECONDS = int(os.environ.get("SUSPENSION_CHECK_SECONDS") or 60)

    # Mail (Flask-Mail, SMTP). No MAIL_SERVER: mails are written to instance/mail/ (mail.py).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    MAIL_USE_TLS = env_flag("MAIL_USE_TLS")
    MAIL_USE_SSL = env_flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tweepee <no-reply@localhost>")
    # how long a password-reset link works
    RESET_TOKEN_MAX_AGE = 3600

    MESSAGES_PER_PAGE = 20
    USERS_PER_PAGE = 30
    # Off: every avatar is the initials one, and no page asks a third party for anything.
    # On: avatars come from gravatar.com (which then sees who looks at whom); the
    # initials show beneath while it loads, and alone when it fails.
    GRAVATAR = env_flag("GRAVATAR", False)


class TestConfig(Config):
    TESTING = True
    # no periodic check for due suspensions: tests count each page's queries
    SUSPENSION_CHECK_SECONDS = 0
    SECRET_KEY = "test-secret-key-not-for-production"
    # Same algorithm with a small cost, so a suite with hundreds of logins stays quick.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    RATELIMIT_STORAGE_URI = "memory://"
    GRAVATAR = False
