"""Errors of the API as RFC 9457 problem+json (errors.py renders them): APIFlask's own
(validation 422 with per-field errors, broken JSON 400, abort()), and the refusals of the
model methods the resources call."""
from apiflask import abort
from flask import request
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import render_error

BODY_METHODS = ("POST", "PUT", "PATCH")


def flatten(detail, prefix=""):
    """webargs' {"json": {"content": ["..."]}} (any depth) -> {"content": ["..."]}."""
    found = {}
    for key, value in (detail or {}).items():
        name = key if not prefix else f"{prefix}.{key}"
        if key in ("json", "query", "path", "headers") and not prefix:
            name = ""
        if isinstance(value, dict):
            found.update(flatten(value, name))
        else:
            found[name or "_body"] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return found


def problem_from_http_error(error):
    """APIFlask's HTTPError (validation, broken JSON, apiflask.abort) as problem+json."""
    errors = flatten(error.detail) if error.status_code == 422 and error.detail else None
    detail = error.message if error.message != HTTP_STATUS_CODES.get(error.status_code) else None
    if error.status_code == 422:
        detail = "Some fields are not right: see what to change in each."
    elif detail == "Bad Request" or (detail or "").startswith("Invalid JSON"):
        detail = "The body is not valid JSON."
    return render_error(error.status_code, detail, error.headers, errors=errors)


def refuse_non_json():
    """415 for a body that is not JSON on a method that takes one (a web form, text)."""
    if request.method in BODY_METHODS and (request.content_length or request.data) \
            and not request.is_json:
        abort(415, "This API takes application/json bodies.")


def refused(error, status=409):
    """A model's ValidationError as the API answers it: 422 with the field when it names
    one, else `status` (the request was fine; the state of things refuses it)."""
    if error.field:
        abort(422, "Some fields are not right: see what to change in each.",
              detail={"json": {error.field: [str(error)]}})
    abort(status, str(error))
