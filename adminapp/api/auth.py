"""Bearer tokens: who a request is, and what its token's scopes let it do.

Only the Authorization header authenticates the API: the site's cookies never do,
so a page elsewhere cannot make a browser act here (no CSRF to guard against).
"""
from apiflask import HTTPTokenAuth, abort
from flask import g, request
from flask.sessions import SecureCookieSessionInterface

from ..errors import render_error, under_api
from ..limits import address_key
from ..models import ApiToken
from . import bp


class CookielessApiSessions(SecureCookieSessionInterface):
    """The site's signed-cookie sessions, except under /api/, where every request's session
    starts empty and is never written: the API reads no cookie, and so does not pay for
    checking a browser's signed one (a tenth of a timeline page's time)."""

    def open_session(self, app, request):
        if under_api(request.path):
            return self.session_class()
        return super().open_session(app, request)


token_auth = HTTPTokenAuth(
    scheme="Bearer",
    description="A token from /settings/tokens/, `flask --app adminapp create-token` or "
                "POST /api/v1/tokens. Scopes: read, write, moderate (staff).")

NOT_VALID = ("The token is not valid: it was revoked or mistyped, or its account is "
             "suspended. Make a new one at /settings/tokens/.")


def current_token():
    """The live ApiToken the request's Authorization header carries (read once per
    request), None when there is no header; 401 at once for a header that carries no
    valid bearer token, even where a token is optional."""
    if "api_token" not in g:
        header = request.headers.get("Authorization")
        g.api_token = None
        if header is not None:
            scheme, _, secret = header.strip().partition(" ")
            token = ApiToken.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                abort(401, NOT_VALID, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            g.api_token = token
    return g.api_token


@token_auth.verify_token
def verify_token(_secret):
    token = current_token()
    return token.user if token is not None else None


@token_auth.get_user_roles
def token_scopes(_user):
    """Flask-HTTPAuth's roles are the token's scopes: auth_required(roles=["write"])."""
    return current_token().scope_list


@token_auth.error_processor
def auth_error(error):
    if error.status_code == 401:
        return render_error(401, "This needs a token: send Authorization: Bearer <token>.",
                            {"WWW-Authenticate": "Bearer"})
    return render_error(error.status_code,
                        "This token's scopes do not allow this (see the operation's security).")


def viewer():
    """The user whose token the request carries, or None (anonymous)."""
    token = current_token()
    return token.user if token is not None else None


def token_key():
    """Rate-limit key: the token's account (shared with the site's per-account limits),
    else the address."""
    token = current_token()
    return f"user:{token.user_id}" if token is not None else address_key()


def token_optional(view):
    """For public reads: no token is fine (a visitor's view), a token gives its user's
    view (what they block, what staff see), a bad one is a 401; documented as such."""
    view = bp.auth_required(token_auth, optional=True)(view)
    return bp.doc(security=[{}, {token_auth.name: []}])(view)
