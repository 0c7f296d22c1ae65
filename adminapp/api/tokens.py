"""Tokens from a username and password (scripts that cannot open /settings/tokens/),
throttled as the login form is."""
from apiflask import abort

from .. import models
from ..limits import address_key, limit, username_address_key, username_key
from ..models import ApiToken, User
from . import bp
from .errors import refused
from .schemas import TokenOut, TokenRequest

THROTTLED = "Too many failed attempts. Wait a minute before trying again."


def failed(response):
    """Only refused passwords count against the login limits."""
    return response.status_code == 401


def token_json(token, secret):
    return {"id": token.id, "name": token.name, "scopes": token.scope_list,
            "created_at": token.created, "token": secret}


@bp.post("/tokens")
@limit("LOGIN_LIMIT_PER_USERNAME_AND_IP", username_address_key, THROTTLED, deduct_when=failed)
@limit("LOGIN_LIMIT_PER_USERNAME", username_key, THROTTLED, deduct_when=failed)
@limit("LOGIN_LIMIT_PER_IP", address_key, THROTTLED, deduct_when=failed)
@bp.input(TokenRequest, location="json", arg_name="body")
@bp.output(TokenOut, status_code=201)
@bp.doc(responses={401: "Wrong username or password", 403: "The account is suspended"})
def create_token(body):
    """Make a token for your account: the secret is in the answer, once."""
    user = User.authenticate(body["username"], body["password"])
    if user is None:
        abort(401, "That username and password do not match.")
    if user.is_suspended:
        abort(403, "This account is suspended.")
    try:
        token, secret = ApiToken.issue(user, body["name"], body["scopes"])
    except models.ValidationError as e:
        refused(e, status=403)
    return token_json(token, secret)
