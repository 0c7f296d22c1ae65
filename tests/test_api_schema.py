"""Schemathesis over the API's own OpenAPI document, in-process, as each kind of caller
(anonymous, a user's token, a moderator's token): no 5xx, and every answer is what the
document says (status, content type, schema, headers). API_FUZZ_EXAMPLES (default 10 per
operation) makes a longer run."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from schemathesis.specs.openapi.checks import positive_data_acceptance

from adminapp.models import ApiToken

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES") or 10)


@pytest.fixture(params=["anonymous", "user", "moderator"])
def caller(request, app, make_user, make_message):
    """The headers of one kind of caller, on a site with a few people and messages."""
    alice, bob = make_user("alice"), make_user("bob")
    mod = make_user("mod", role="moderator")
    for user in (alice, bob, mod):
        make_message(user, f"hello from {user.username}")
    if request.param == "anonymous":
        return {}
    who = alice if request.param == "user" else mod
    scopes = ("read", "write") + (("moderate",) if who.is_moderator else ())
    return {"Authorization": f"Bearer {ApiToken.issue(who, 'fuzz', scopes)[1]}"}


def test_every_operation_answers_as_documented(app, caller):
    """Each operation of the document, EXAMPLES generated requests (Schemathesis' pytest
    plugin is not used: it reads a node attribute pytest 9 no longer has)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):
            # a cursor is opaque: any string fits the document, only ours are taken (400)
            case.call_and_validate(headers=caller, excluded_checks=[positive_data_acceptance])
        answers_as_documented()
