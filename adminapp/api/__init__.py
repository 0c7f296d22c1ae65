"""The JSON API, /api/v1/ (docs/architecture.md, "The JSON API"): APIFlask writes the OpenAPI
document (/api/v1/openapi.json) from these views and their marshmallow schemas.

Each resource parses, calls the model method, feed or moderation verb the site's pages
call, and shapes the answer: no rule is written twice. Tokens only (auth.py): the site's
cookies authenticate nothing here, so the blueprint is exempt from CSRF.
"""
from apiflask import APIBlueprint
from flask import current_app, g

from ..limits import limiter
from ..security import csrf

bp = APIBlueprint("api", __name__, url_prefix="/api/v1")

# How create_app builds its APIFlask: errors stay the site's (errors.py answers problem+json
# under /api/ and HTML pages elsewhere); the docs page is ours (docs.py).
FRAMEWORK = {"title": "tweepee", "version": "1", "json_errors": False,
             "spec_path": "/api/v1/openapi.json", "docs_path": None}

from . import docs, messages, moderation, notifications, timelines, tokens, users  # noqa: E402,F401
from . import search  # noqa: E402,F401
from .auth import CookielessApiSessions, token_key  # noqa: E402
from .errors import problem_from_http_error, refuse_non_json  # noqa: E402
from .schemas import PROBLEM  # noqa: E402

bp.before_request(refuse_non_json)


@bp.after_request
def private_answers(response):
    """A token's answers are its owner's (no shared cache keeps them); a public read differs
    with the token (likes, blocks, what staff see)."""
    response.vary.add("Authorization")
    if g.get("api_token") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


# every request counts against API_LIMIT_PER_TOKEN: per token's account, else per address
# (declared once, like the views' own limits: the limiter is shared by every app)
limiter.limit(lambda: current_app.config["API_LIMIT_PER_TOKEN"], key_func=token_key,
              error_message="Too many requests with this token (or from this address). "
                            "Wait for Retry-After seconds.")(bp)

SPEC = {
    "DESCRIPTION": "tweepee's JSON API. Public reads need no token; the rest take "
                   "`Authorization: Bearer <token>`. Errors are RFC 9457 problem+json. "
                   "Lists are keyset pages: `{\"items\", \"next\"}`, `?cursor=` `?limit=`.",
    "HTTP_ERROR_SCHEMA": PROBLEM,
    "VALIDATION_ERROR_SCHEMA": PROBLEM,
}


# Errors any operation can answer (a body only where one is taken), beyond those APIFlask
# documents from each view (401 with auth, 404 with a path argument, 422 with input).
COMMON_ERRORS = {"400": "Bad request: a broken cursor or JSON body",
                 "429": "Too many requests: wait for Retry-After seconds"}
BODY_ERRORS = {"413": "The body is too large", "415": "The body is not application/json"}


def problem_documents(spec):
    """The document says what every error is (application/problem+json), and groups the
    operations by resource."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}}
    for url, path in spec.get("paths", {}).items():
        for operation in path.values():
            # grouped by resource in the docs: /api/v1/messages/... -> "Messages"
            operation["tags"] = [url.split("/")[3].capitalize()]
            responses = operation.setdefault("responses", {})
            common = {**COMMON_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            if any(scopes for entry in operation.get("security", []) for scopes in entry.values()):
                common["403"] = "The token lacks the scope this needs"
            for status, description in common.items():
                responses.setdefault(status, {"description": description, "content": problem})
            for status, response in responses.items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    return spec


def init_app(app):
    """Register the API on `app` (an APIFlask: see FRAMEWORK)."""
    for key, value in SPEC.items():
        app.config[key] = value
    app.session_interface = CookielessApiSessions()
    app.error_processor(problem_from_http_error)
    app.spec_processor(problem_documents)
    csrf.exempt(bp)
    app.register_blueprint(bp)
