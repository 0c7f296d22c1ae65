"""What guards every request: the secret key, CSRF, the client's real address behind
proxies, refusal of input no form takes, and the security headers (flask-talisman).

Rate limits live in limits.py; the rules on what people type live in models.py.
"""
import os
import secrets
import time
from urllib.parse import urlsplit

from flask import abort, current_app, g, request, session
from flask_login import current_user
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect, generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, ValidationError

from .errors import under_api
from .formatting import parse_id

csrf = CSRFProtect()

# How long a signed CSRF token is handed out again to the same session (csrf_token).
CSRF_REUSE_SECONDS = 60
CSRF_KEPT = 10_000
_signed_csrf = {}

# Bodies a form page accepts; JSON and the rest belong to the API.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
GRAVATAR_ORIGIN = "https://www.gravatar.com"


class IdConverter(BaseConverter):
    """`<id:message_id>`: a row id, 1 to 2**63 - 1; anything else is a 404, never a
    number too big for the database."""
    regex = r"\d{1,19}"

    def to_python(self, value):
        pk = parse_id(value)
        if pk is None:
            raise ValidationError()
        return pk

    def to_url(self, value):
        return str(int(value))


def safe_next(target):
    """Return `target` when it is a path on this site, else None (no open redirects, no
    header splitting: control characters and backslashes are refused)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def instance_secret_key(instance_path):
    """Return the key stored in instance/secret_key, creating it (mode 0600) on first use.

    Several workers may start at once: the key is written to a private file and
    linked into place, so every worker reads the same complete key.
    """
    path = os.path.join(instance_path, "secret_key")
    os.makedirs(instance_path, exist_ok=True)
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker won the race: use its key
        finally:
            os.unlink(tmp)
    with open(path) as f:
        return f.read().strip()


def refuse_unusable_input():
    """400/415 before any view runs, for input no page of the site takes: a file upload,
    a POST body that is not a web form (outside /api/), a NUL character anywhere
    (PostgreSQL cannot store one; no person types one)."""
    if under_api(request.path):
        return
    # (no content type at all: nothing is parsed, CSRF refuses it if it matters)
    if request.method == "POST" and request.mimetype not in (*FORM_TYPES, ""):
        abort(415, description="This page takes a web form. Use the form on the page "
                               "(or the JSON API under /api/).")
    values = [("", request.path), *request.args.items(multi=True)]
    # a request without a body (most: GETs) has no form to parse
    if request.content_length or "Transfer-Encoding" in request.headers:
        if request.files:
            abort(400, description="This site takes no file uploads.")
        values += request.form.items(multi=True)
    # a newline in a multipart field name leaves the field without a name (None)
    if any(key is None or value is None for key, value in values):
        abort(400, description="The form holds a field without a name, which no form has.")
    if any("\x00" in key or "\x00" in value for key, value in values):
        abort(400, description="The request holds a NUL character, which no form takes.")


def content_security_policy(app):
    """The CSP: everything from this site; scripts from it or carrying the request's nonce
    (Flask-Admin's templates print it); no plugins, no <base>; images from Gravatar when on."""
    images = ["'self'", "data:"] + ([GRAVATAR_ORIGIN] if app.config.get("GRAVATAR") else [])
    return {"default-src": "'self'", "script-src": "'self'",
            # style attributes in Flask-Admin's templates need 'unsafe-inline' (a nonce
            # would turn it off); styles cannot run code
            "style-src": ["'self'", "'unsafe-inline'"], "img-src": images,
            "object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'",
            "form-action": "'self'"}


def no_store_for_members(response):
    """A logged-in person's pages are theirs: no cache (a shared computer's, a proxy's) keeps them."""
    if response.mimetype == "text/html" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    """Set SECRET_KEY, the proxy hops to trust, CSRF on every POST, the input guard and the
    security headers."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.url_map.converters["id"] = IdConverter
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    # before CSRF: a JSON body gets "415, use a web form", not "400, token missing"
    app.before_request(refuse_unusable_input)
    csrf.init_app(app)
    # in place of Flask-WTF's generate_csrf, which it sets both ways
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    # one Talisman per app: it keeps its options on itself, and test apps differ
    app.extensions["talisman"] = Talisman(
        app, force_https=False, frame_options="DENY",
        content_security_policy=content_security_policy(app),
        content_security_policy_nonce_in=["script-src"],
        strict_transport_security=secure, session_cookie_secure=secure,
        referrer_policy="same-origin")
    app.after_request(no_store_for_members)


def csrf_token():
    """The form token of this session (Flask-WTF's generate_csrf), its signed form reused
    for CSRF_REUSE_SECONDS: signing it anew on every page was a twentieth of a timeline's
    time. A reused token was signed at most that long ago, so it stays valid for
    WTF_CSRF_TIME_LIMIT (an hour) less at most a minute."""
    raw = session.get("csrf_token")
    if raw is None or "csrf_token" in g:
        return generate_csrf()
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    key, now = (secret, raw), time.monotonic()
    kept = _signed_csrf.get(key)
    if kept is not None and now - kept[1] < CSRF_REUSE_SECONDS:
        g.csrf_token = kept[0]
        return kept[0]
    if len(_signed_csrf) >= CSRF_KEPT:
        _signed_csrf.clear()
    token = generate_csrf()
    _signed_csrf[key] = (token, now)
    return token


def csp_nonce():
    """This request's CSP nonce (Talisman makes one per request), for Flask-Admin."""
    return getattr(request, "csp_nonce", "")


# A suspended person cannot log in, but may appeal: a login refused for a suspension (the
# password was right) leaves this pass in their session, good for /appeals/ only.
APPEAL_PASS_SECONDS = 3600


def grant_appeal_pass(user):
    """Let `user` (suspended; their password just checked) use /appeals/ for an hour from
    this browser, without logging in."""
    session["appeal_pass"] = [user.id, int(time.time()) + APPEAL_PASS_SECONDS]


def appeal_pass_user_id():
    """The id of the suspended user this browser's appeal pass is for, or None (no pass,
    or expired)."""
    granted = session.get("appeal_pass")
    if not isinstance(granted, list) or len(granted) != 2:
        return None
    user_id, until = granted
    return user_id if isinstance(user_id, int) and isinstance(until, int) and until > time.time() else None
