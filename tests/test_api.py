"""The JSON API, /api/v1/ (docs/architecture.md, "The JSON API"): tokens, scopes and
keyset pages, the OpenAPI document and its docs page."""
import json
import re

import flask
import pytest

from adminapp.models import (ApiToken, Message, MessageLike, Notification, Relationship, Report,
                             User, utcnow)

PROBLEM = "application/problem+json"


@pytest.fixture
def api(client):
    """The test client with JSON helpers: api.get(url, token=...), api.post(url, body, token=...)."""
    class Api:
        def call(self, method, url, body=None, token=None, **kwargs):
            headers = kwargs.pop("headers", {})
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if body is not None:
                kwargs["json"] = body
            return client.open(url, method=method, headers=headers, **kwargs)

        def get(self, url, **kwargs):
            return self.call("GET", url, **kwargs)

        def post(self, url, body=None, **kwargs):
            return self.call("POST", url, body, **kwargs)

        def put(self, url, **kwargs):
            return self.call("PUT", url, **kwargs)

        def delete(self, url, **kwargs):
            return self.call("DELETE", url, **kwargs)
    return Api()


@pytest.fixture
def token_for(app):
    """Factory: token_for(user, "read", "write") -> the secret of a new token."""
    def make(user, *scopes):
        return ApiToken.issue(user, "test", scopes or ("read", "write"))[1]
    return make


def is_problem(response, status):
    body = response.get_json()
    return (response.status_code == status and response.mimetype == PROBLEM
            and body["status"] == status and body["title"] and body["detail"]
            and "Traceback" not in response.get_data(as_text=True))


# --- tokens ------------------------------------------------------------------------------
def test_a_token_from_a_password_works_until_it_is_revoked(api, make_user):
    alice = make_user("alice")
    made = api.post("/api/v1/tokens", {"username": "Alice", "password": "password123",
                                       "name": "script", "scopes": ["read", "write"]})
    assert made.status_code == 201
    secret = made.get_json()["token"]
    assert secret.startswith("twp_") and made.get_json()["scopes"] == ["read", "write"]
    row = ApiToken.get()
    assert row.token_hash != secret and secret not in (row.token_hash, row.name)
    assert api.get("/api/v1/timelines/home", token=secret).status_code == 200
    assert ApiToken.get().last_used is not None
    assert ApiToken.revoke(alice, row.id)
    refused = api.get("/api/v1/timelines/home", token=secret)
    assert is_problem(refused, 401) and "invalid_token" in refused.headers["WWW-Authenticate"]


def test_a_wrong_password_gets_no_token_and_is_throttled_like_the_login(app, api, make_user):
    make_user("alice")
    app.config["LOGIN_LIMIT_PER_USERNAME_AND_IP"] = "2 per minute"
    wrong = {"username": "alice", "password": "nope-nope"}
    assert is_problem(api.post("/api/v1/tokens", wrong), 401)
    assert is_problem(api.post("/api/v1/tokens", wrong), 401)
    throttled = api.post("/api/v1/tokens", {"username": "alice", "password": "password123"})
    assert is_problem(throttled, 429) and throttled.headers["Retry-After"]
    assert ApiToken.select().count() == 0


def test_moderate_is_for_staff_only_and_suspended_accounts_get_none(api, make_user, staff):
    make_user("alice")
    make_user("sus", suspended=True)
    asked = {"username": "alice", "password": "password123", "scopes": ["moderate"]}
    not_staff = api.post("/api/v1/tokens", asked)
    assert is_problem(not_staff, 422) and "scopes" in not_staff.get_json()["errors"]
    assert api.post("/api/v1/tokens", {**asked, "username": "mod"}).status_code == 201
    assert is_problem(api.post("/api/v1/tokens", {**asked, "username": "sus"}), 403)
    bad_scope = api.post("/api/v1/tokens", {**asked, "scopes": ["everything"]})
    assert is_problem(bad_scope, 422) and "scopes.0" in bad_scope.get_json()["errors"]


def test_a_suspended_user_s_token_stops_working(api, make_user, token_for):
    alice = make_user("alice")
    secret = token_for(alice, "read")
    assert api.get("/api/v1/timelines/home", token=secret).status_code == 200
    alice.suspended_at = utcnow()
    alice.save()
    assert is_problem(api.get("/api/v1/timelines/home", token=secret), 401)
    assert is_problem(api.get("/api/v1/timelines/public", token=secret), 401)


def test_the_settings_page_makes_shows_once_lists_and_revokes(client, auth, make_user):
    make_user("alice")
    auth.login("alice")
    assert 'href="/settings/tokens/"' in client.get("/settings/").get_data(as_text=True)
    page = client.get("/settings/tokens/").get_data(as_text=True)
    assert 'value="moderate"' not in page  # not offered to a user
    made = client.post("/settings/tokens/", data={"name": "bot", "scopes": ["read", "write"]})
    secret = re.search(r"twp_[\w-]+", made.get_data(as_text=True)).group(0)
    listed = client.get("/settings/tokens/").get_data(as_text=True)
    assert secret not in listed and "bot" in listed and "never used" in listed
    refused = client.post("/settings/tokens/", data={"name": "", "scopes": ["read"]})
    assert refused.status_code == 422
    token = ApiToken.get()
    assert client.post(f"/settings/tokens/{token.id}/revoke/", csrf=False).status_code == 400
    assert client.post(f"/settings/tokens/{token.id}/revoke/").status_code == 302
    assert ApiToken.get().is_revoked


def test_someone_else_s_token_cannot_be_revoked(client, auth, make_user, token_for):
    bob = make_user("bob")
    token_for(bob)
    make_user("alice")
    auth.login("alice")
    client.post(f"/settings/tokens/{ApiToken.get().id}/revoke/")
    assert not ApiToken.get().is_revoked


def test_the_cli_makes_a_token(app, make_user, staff):
    make_user("alice")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-token", "alice", "--scope", "read", "--scope",
                                 "write", "--name", "cron"])
    assert result.exit_code == 0, result.output
    assert re.search(r"twp_[\w-]+", result.output)
    assert ApiToken.get().scopes == "read write" and ApiToken.get().name == "cron"
    refused = runner.invoke(args=["create-token", "alice", "--scope", "moderate"])
    assert refused.exit_code != 0 and "moderat" in refused.output
    assert runner.invoke(args=["create-token", "nobody"]).exit_code != 0
    assert runner.invoke(args=["create-token", "mod", "--scope", "moderate"]).exit_code == 0


# --- scopes and roles -------------------------------------------------------------------
WRITES = [("POST", "/api/v1/messages", {"content": "hi"}),
          ("PUT", "/api/v1/users/bob/follow", None),
          ("PUT", "/api/v1/messages/{m}/like", None),
          ("POST", "/api/v1/messages/{m}/reports", {"category": "spam"})]


@pytest.mark.parametrize("method,url,body", WRITES)
@pytest.mark.parametrize("who", ["anonymous", "cookie", "read", "write"])
def test_writes_need_a_token_with_the_write_scope(api, auth, make_user, make_message,
                                                  token_for, who, method, url, body):
    alice, bob = make_user("alice"), make_user("bob")
    url = url.format(m=make_message(bob).id)
    token = None
    if who == "cookie":
        auth.login("alice")  # a logged-in browser's cookies authenticate nothing here
    elif who in ("read", "write"):
        token = token_for(alice, who)
    answer = api.call(method, url, body, token=token)
    expected = {"anonymous": 401, "cookie": 401, "read": 403, "write": None}[who]
    if expected:
        assert is_problem(answer, expected)
        if expected == 401:
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert answer.status_code in (201, 204)


def test_reads_of_your_own_need_the_read_scope(api, make_user, token_for):
    alice = make_user("alice")
    for url in ("/api/v1/timelines/home", "/api/v1/notifications"):
        assert is_problem(api.get(url), 401)
        assert is_problem(api.get(url, token=token_for(alice, "write")), 403)
        assert api.get(url, token=token_for(alice, "read")).status_code == 200


def test_a_header_that_is_not_a_bearer_token_is_a_401_even_on_public_reads(api):
    for header in ("Basic YTpi", "Bearer", "Bearer twp_nope"):
        answer = api.get("/api/v1/timelines/public", headers={"Authorization": header})
        assert is_problem(answer, 401) and answer.headers["WWW-Authenticate"].startswith("Bearer")


# --- resources ----------------------------------------------------------------------------
def test_a_message_has_the_design_s_shape(api, make_user, make_message):
    alice = make_user("alice")
    message = make_message(alice, "hello world")
    body = api.get(f"/api/v1/messages/{message.id}").get_json()
    assert set(body) >= {"id", "content", "created_at", "author", "in_reply_to", "reply_count",
                         "like_count", "url"}
    assert body["author"]["username"] == "alice" and body["content"] == "hello world"
    assert body["created_at"].endswith("+00:00") and body["in_reply_to"] is None
    assert body["url"].endswith(f"/messages/{message.id}/")


def test_post_reply_like_and_delete_through_the_model_methods(api, make_user, token_for):
    alice, bob = make_user("alice"), make_user("bob")
    a, b = token_for(alice), token_for(bob)
    posted = api.post("/api/v1/messages", {"content": "  first  "}, token=a)
    assert posted.status_code == 201 and posted.get_json()["content"] == "first"
    assert posted.headers["Location"].endswith(f"/api/v1/messages/{posted.get_json()['id']}")
    parent = posted.get_json()["id"]
    reply = api.post("/api/v1/messages", {"content": "@alice yes", "in_reply_to": parent},
                     token=b)
    assert reply.status_code == 201 and reply.get_json()["in_reply_to"] == parent
    assert api.put(f"/api/v1/messages/{parent}/like", token=b).status_code == 204
    assert api.put(f"/api/v1/messages/{parent}/like", token=b).status_code == 204  # idempotent
    assert api.get(f"/api/v1/messages/{parent}").get_json()["like_count"] == 1
    assert api.delete(f"/api/v1/messages/{parent}/like", token=b).status_code == 204
    assert MessageLike.select().count() == 0
    assert is_problem(api.delete(f"/api/v1/messages/{parent}", token=b), 403)
    assert api.delete(f"/api/v1/messages/{parent}", token=a).status_code == 204
    assert is_problem(api.get(f"/api/v1/messages/{parent}"), 404)
    assert Message.get_by_id(reply.get_json()["id"]).in_reply_to_id is None


def test_bad_content_is_a_422_naming_the_field(api, make_user, token_for):
    secret = token_for(make_user("alice"))
    for content in ("", "   ", "x" * 281, "bad\x00nul"):
        answer = api.post("/api/v1/messages", {"content": content}, token=secret)
        assert is_problem(answer, 422) and "content" in answer.get_json()["errors"], content
    missing = api.post("/api/v1/messages", {}, token=secret)
    assert is_problem(missing, 422) and "content" in missing.get_json()["errors"]


def test_follow_and_unfollow_are_idempotent(api, make_user, token_for):
    alice, bob = make_user("alice"), make_user("bob")
    secret = token_for(alice)
    for _ in range(2):
        assert api.put("/api/v1/users/Bob/follow", token=secret).status_code == 204
    assert Relationship.select().count() == 1
    assert api.get("/api/v1/users/bob", token=secret).get_json()["followed_by_you"] is True
    assert api.get("/api/v1/users/bob").get_json()["followers_count"] == 1
    assert is_problem(api.put("/api/v1/users/alice/follow", token=secret), 409)
    assert is_problem(api.put("/api/v1/users/nobody/follow", token=secret), 404)
    for _ in range(2):
        assert api.delete("/api/v1/users/bob/follow", token=secret).status_code == 204
    assert Relationship.select().count() == 0


def test_reports_and_a_repeat(api, make_user, make_message, token_for):
    alice = make_user("alice")
    message = make_message(make_user("bob"))
    secret = token_for(alice)
    url = f"/api/v1/messages/{message.id}/reports"
    made = api.post(url, {"category": "spam", "note": "ads"}, token=secret)
    assert made.status_code == 201 and made.get_json()["category"] == "spam"
    assert is_problem(api.post(url, {"category": "spam"}, token=secret), 422)
    assert is_problem(api.post(url, {"category": "nonsense"}, token=secret), 422)
    assert Report.select().count() == 1


def test_hidden_messages_are_404_to_others_and_shown_to_staff(api, make_user, make_message,
                                                               token_for, staff):
    message = make_message(make_user("bob"), hidden=True)
    assert is_problem(api.get(f"/api/v1/messages/{message.id}"), 404)
    assert is_problem(api.get(f"/api/v1/messages/{message.id}",
                              token=token_for(make_user("alice"), "read")), 404)
    seen = api.get(f"/api/v1/messages/{message.id}", token=token_for(staff.moderator, "read"))
    assert seen.status_code == 200 and seen.get_json()["hidden"] is True


def test_profiles_and_their_messages(api, make_user, make_message):
    alice = make_user("alice")
    for n in range(3):
        make_message(alice, f"m{n}")
    profile = api.get("/api/v1/users/ALICE").get_json()
    assert profile["username"] == "alice" and profile["messages_count"] == 3
    listed = api.get("/api/v1/users/alice/messages?limit=2")
    assert [m["content"] for m in listed.get_json()["items"]] == ["m2", "m1"]
    assert 'rel="next"' in listed.headers["Link"]
    assert is_problem(api.get("/api/v1/users/nobody"), 404)
    assert is_problem(api.get("/api/v1/users/nobody/messages"), 404)


def test_home_timeline_and_notifications(api, make_user, token_for):
    alice, bob = make_user("alice"), make_user("bob")
    a, b = token_for(alice), token_for(bob)
    api.put("/api/v1/users/bob/follow", token=a)
    api.post("/api/v1/messages", {"content": "from bob"}, token=b)
    home = api.get("/api/v1/timelines/home", token=a).get_json()
    assert [m["content"] for m in home["items"]] == ["from bob"]
    notices = api.get("/api/v1/notifications", token=b).get_json()
    assert [(n["kind"], n["actor"], n["unread"]) for n in notices["items"]] == \
        [("follow", "alice", True)]


# --- pagination ---------------------------------------------------------------------------
def test_the_public_timeline_pages_to_its_end_without_gaps_or_repeats(api, make_user,
                                                                      make_message):
    alice = make_user("alice")
    ids = {make_message(alice, f"m{n}").id for n in range(23)}
    seen, url = [], "/api/v1/timelines/public?limit=5"
    while url:
        answer = api.get(url)
        body = answer.get_json()
        seen += [m["id"] for m in body["items"]]
        link = answer.headers.get("Link")
        assert (link is None) == (body["next"] is None)
        url = re.match(r"<http://localhost([^>]+)>", link).group(1) if link else None
        if url:  # a message posted meanwhile is newer: it never enters the pages below
            make_message(alice, "new")
    assert len(seen) == len(set(seen)) and set(seen) == ids and seen == sorted(seen, reverse=True)


@pytest.mark.parametrize("cursor", ["junk", "20990101000000000000-0", "-", "x" * 100,
                                    "20261203221000123456-99999999999999999999"])
def test_a_cursor_we_did_not_give_is_a_400(api, cursor):
    assert is_problem(api.get(f"/api/v1/timelines/public?cursor={cursor}"), 400)


@pytest.mark.parametrize("limit", ["0", "101", "x", "-1"])
def test_a_limit_out_of_range_is_a_422(api, limit):
    answer = api.get(f"/api/v1/timelines/public?limit={limit}")
    assert is_problem(answer, 422) and "limit" in answer.get_json()["errors"]


# --- errors -------------------------------------------------------------------------------
def test_every_error_under_api_is_problem_json_and_the_site_keeps_html(api, client, make_user,
                                                                       token_for):
    secret = token_for(make_user("alice"))
    assert is_problem(api.get("/api/v1/nothing-here"), 404)
    assert client.get("/nothing-here/").mimetype == "text/html"
    not_allowed = api.call("PATCH", "/api/v1/timelines/public")
    assert is_problem(not_allowed, 405) and "GET" in not_allowed.headers["Allow"]
    assert client.open("/public/", method="PATCH").mimetype == "text/html"
    broken = client.post("/api/v1/messages", data="{", content_type="application/json", csrf=False,
                         headers={"Authorization": f"Bearer {secret}"})
    assert is_problem(broken, 400)
    form = client.post("/api/v1/messages", data={"content": "hi"}, csrf=False,
                       headers={"Authorization": f"Bearer {secret}"})
    assert is_problem(form, 415)
    huge = api.post("/api/v1/messages", {"content": "x" * 70_000}, token=secret)
    assert is_problem(huge, 413)


def test_a_500_under_api_is_problem_json_without_a_traceback(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("secret internals")
    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.add_url_rule("/boom/", "boom_page", boom)
    client = app.test_client()
    answer = client.get("/api/v1/boom")
    assert is_problem(answer, 500) and "secret internals" not in answer.get_data(as_text=True)
    assert client.get("/boom/").mimetype == "text/html"


def test_api_answers_carry_the_site_s_security_headers(api):
    answer = api.get("/api/v1/timelines/public")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]


# --- the OpenAPI document and the docs page --------------------------------------------
def test_the_openapi_document_is_valid_openapi_3(api):
    from openapi_spec_validator import validate
    spec = api.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {"/api/v1/timelines/public", "/api/v1/timelines/home", "/api/v1/messages",
            "/api/v1/messages/{message_id}", "/api/v1/messages/{message_id}/like",
            "/api/v1/messages/{message_id}/reports", "/api/v1/users/{username}",
            "/api/v1/users/{username}/messages", "/api/v1/users/{username}/follow",
            "/api/v1/notifications", "/api/v1/tokens"} <= paths
    errors = spec["paths"]["/api/v1/timelines/home"]["get"]["responses"]["401"]["content"]
    assert list(errors) == [PROBLEM]
    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_nothing_from_another_host(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "swagger-ui-bundle.js" in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") for url in urls), urls
    for url in urls:
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url
    script = client.get("/static/js/api-docs.js").get_data(as_text=True)
    assert "validatorUrl: null" in script and "http" not in script


# --- moderation ---------------------------------------------------------------------------
MODERATION = [("GET", "/api/v1/moderation/reports", None),
              ("GET", "/api/v1/moderation/audit", None),
              ("POST", "/api/v1/moderation/messages/{m}/hide", {"reason": "spam"}),
              ("POST", "/api/v1/moderation/users/alice/warn", {"reason": "spam"})]


@pytest.mark.parametrize("method,url,body", MODERATION)
@pytest.mark.parametrize("who,scopes,expected", [
    ("alice", ("read", "write"), 403),   # a user cannot have the scope
    ("mod", ("read", "write"), 403),     # staff, without the scope
    ("mod", ("moderate",), 200),
    ("root", ("moderate",), 200),
])
def test_moderation_needs_the_scope_and_a_staff_role(api, make_user, make_message, staff,
                                                     token_for, who, scopes, expected,
                                                     method, url, body):
    alice = make_user("alice")
    url = url.format(m=make_message(alice).id)
    user = {"alice": alice, "mod": staff.moderator, "root": staff.admin}[who]
    answer = api.call(method, url, body, token=token_for(user, *scopes))
    assert answer.status_code == expected if expected == 200 else is_problem(answer, expected)


def test_the_verbs_keep_their_rule_on_who_may_act_on_whom(api, make_user, make_message, staff,
                                                         token_for, audit_rows):
    alice = make_user("alice")
    mod = token_for(staff.moderator, "moderate", "read")
    admin_message = make_message(staff.admin)
    refused = api.post(f"/api/v1/moderation/messages/{admin_message.id}/hide", {"reason": "x"},
                       token=mod)
    assert is_problem(refused, 403) and "root" in refused.get_json()["detail"]
    assert is_problem(api.post("/api/v1/moderation/users/mod/warn", {"reason": "x"}, token=mod),
                      403)
    message = make_message(alice)
    hidden = api.post(f"/api/v1/moderation/messages/{message.id}/hide", {"reason": "spam"},
                      token=mod)
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    assert [r.action for r in audit_rows()] == ["hide"]
    shown = api.post(f"/api/v1/moderation/messages/{message.id}/unhide", {}, token=mod)
    assert shown.get_json()["hidden"] is False
    alice_token = token_for(alice, "read")
    suspended = api.post("/api/v1/moderation/users/alice/suspend", {"reason": "spam"},
                         token=mod)
    assert suspended.status_code == 200 and suspended.get_json()["suspended"] is True
    assert is_problem(api.get("/api/v1/timelines/home", token=alice_token), 401)
    restored = api.post("/api/v1/moderation/users/alice/restore", {}, token=mod)
    assert restored.get_json()["suspended"] is False
    assert api.get("/api/v1/timelines/home", token=alice_token).status_code == 200
    assert api.post("/api/v1/moderation/users/alice/warn", {"reason": "be nice"},
                    token=mod).status_code == 200
    audit = api.get("/api/v1/moderation/audit?limit=2", token=mod)
    assert [e["action"] for e in audit.get_json()["items"]] == ["warn", "restore"]
    assert audit.get_json()["items"][0]["actor"] == "mod" and audit.get_json()["next"]


def test_reports_are_listed_and_resolved_once(api, make_user, make_message, staff, token_for):
    alice, bob = make_user("alice"), make_user("bob")
    message = make_message(bob, "buy now")
    api.post(f"/api/v1/messages/{message.id}/reports", {"category": "spam"},
             token=token_for(alice))
    mod = token_for(staff.moderator, "moderate")
    queue = api.get("/api/v1/moderation/reports", token=mod).get_json()["items"]
    assert [(r["reporter"], r["message"]["content"]) for r in queue] == [("alice", "buy now")]
    url = f"/api/v1/moderation/reports/{queue[0]['id']}/resolve"
    assert api.post(url, {"outcome": "hide", "reason": "spam"}, token=mod).status_code == 204
    assert Message.get_by_id(message.id).is_hidden
    assert is_problem(api.post(url, {"outcome": "dismiss"}, token=mod), 409)
    assert api.get("/api/v1/moderation/reports", token=mod).get_json()["items"] == []
    resolved = api.get("/api/v1/moderation/reports?status=resolved", token=mod).get_json()
    assert resolved["items"][0]["resolution"] == "hide"
    assert is_problem(api.post("/api/v1/moderation/reports/999/resolve", {"outcome": "hide"},
                               token=mod), 404)


def test_a_moderator_token_stops_moderating_when_its_owner_is_no_longer_staff(
        api, make_user, make_message, staff, token_for):
    mod = token_for(staff.moderator, "moderate")
    staff.moderator.role = "user"
    staff.moderator.save()
    assert is_problem(api.get("/api/v1/moderation/reports", token=mod), 403)


def test_followers_and_following_are_keyset_lists(api, make_user):
    alice = make_user("alice")
    for name in ("dave", "bob", "carol", "eve"):
        make_user(name).follow(alice)
    first = api.get("/api/v1/users/alice/followers?limit=3")
    assert [u["username"] for u in first.get_json()["items"]] == ["bob", "carol", "dave"]
    rest = api.get(f"/api/v1/users/alice/followers?limit=3&cursor={first.get_json()['next']}")
    assert [u["username"] for u in rest.get_json()["items"]] == ["eve"]
    assert rest.get_json()["next"] is None and "Link" not in rest.headers
    assert [u["username"] for u in api.get("/api/v1/users/bob/following").get_json()["items"]] \
        == ["alice"]


def test_the_api_limit_counts_per_token_and_per_address(make_app, make_user):
    app = make_app(API_LIMIT_PER_TOKEN="2 per minute")
    client = app.test_client()
    with app.app_context():
        alice = make_user("alice")
        secret = ApiToken.issue(alice, "t", ["read"])[1]
    for _ in range(2):
        assert client.get("/api/v1/timelines/public").status_code == 200
    over = client.get("/api/v1/timelines/public")
    assert is_problem(over, 429) and int(over.headers["Retry-After"]) > 0
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/timelines/home", headers=bearer).status_code == 200


# --- the README's examples ----------------------------------------------------------------
def readme_commands():
    """The curl commands of the README's "JSON API" section, continuation lines joined."""
    import pathlib
    text = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text.split("## JSON API", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    return [line for line in block.splitlines() if line.startswith("curl ")]


def run_curl(client, command, env):
    """Run one `curl` command line in-process: -s, -X, -H, -d and the URL (its $VARs from env)."""
    import shlex
    words = shlex.split(re.sub(r"\$(\w+)", lambda m: env[m.group(1)], command))[1:]
    method, headers, data, url = None, {}, None, None
    while words:
        word = words.pop(0)
        if word == "-s":
            continue
        if word == "-X":
            method = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = words.pop(0)
        else:
            url = word
    path = url.split("://", 1)[1].split("/", 1)[1]
    return client.open("/" + path, method=method or ("POST" if data else "GET"),
                       headers=headers, data=data)


def test_the_readme_s_curl_examples_run_as_written(client, make_user, make_message):
    make_user("demo", password="tweepee-demo")
    make_user("admin", role="admin")
    make_message(make_user("someone"), "hello")
    commands = readme_commands()
    assert len(commands) >= 5 and "/api/v1/tokens" in commands[0]
    env = {}
    for command in commands:
        answer = run_curl(client, command, env)
        assert answer.status_code < 300, (command, answer.get_json())
        if "/api/v1/tokens" in command:
            env["TOKEN"] = answer.get_json()["token"]


def test_a_token_s_answers_are_not_stored_and_cookies_are_not_read(api, auth, make_user,
                                                                   token_for, count_queries):
    alice = make_user("alice")
    answer = api.get("/api/v1/timelines/public", token=token_for(alice, "read"))
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Authorization" in answer.headers["Vary"]
    anonymous = api.get("/api/v1/timelines/public")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    auth.login("alice")
    with count_queries() as counted:
        api.get("/api/v1/timelines/public")
    assert not any("login_session" in q for q in counted.statements), counted.statements


def test_the_site_s_session_cookie_is_not_opened_under_the_api(client, auth, make_user):
    """A logged-in browser's calls to /api/ see an empty session (tokens only), write no
    cookie, and leave the browser logged in on the site."""
    make_user("alice")
    auth.login("alice")
    with client:  # keeps the last request's context, to look at its session
        answer = client.get("/api/v1/timelines/public")
        assert answer.status_code == 200
        assert dict(flask.session) == {}
    assert "Set-Cookie" not in answer.headers
    assert client.get("/private/").status_code == 200


def test_a_public_timeline_page_is_one_query(api, make_user, make_message, count_queries,
                                             token_for):
    alice = make_user("alice")
    for n in range(25):
        make_message(alice, f"m{n}")
    secret = token_for(alice, "read")
    api.get("/api/v1/timelines/public", token=secret)  # last_used is written once a minute
    for token in (None, secret):
        with count_queries() as counted:
            assert api.get("/api/v1/timelines/public", token=token).status_code == 200
        assert counted.n == (1 if token is None else 2), counted.statements


@pytest.mark.parametrize("revoke", [False, True])
def test_a_new_password_revokes_the_tokens_when_asked(api, client, auth, make_user, token_for,
                                                      revoke):
    secret = token_for(make_user("alice"), "read")
    auth.login("alice")
    form = {"email": "alice@example.com", "bio": "", "current_password": "password123",
            "new_password": "a-new-password"}
    if revoke:
        form["revoke_tokens"] = "y"
    assert client.post("/settings/", data=form).status_code == 302
    answer = api.get("/api/v1/timelines/home", token=secret)
    assert answer.status_code == (401 if revoke else 200)


@pytest.mark.parametrize("who_blocks", ["reader", "author"])
def test_a_token_s_reader_does_not_see_across_a_block(api, make_user, make_message, token_for,
                                                        who_blocks):
    """The API's timelines leave out blocked accounts for a token's user as the site does
    (the token's lookup reads whether any block touches them)."""
    reader, author = make_user("reader"), make_user("author")
    make_message(author, "across the block")
    secret = token_for(reader, "read")

    def texts():
        items = api.get("/api/v1/timelines/public", token=secret).get_json()["items"]
        return [item["content"] for item in items]
    assert "across the block" in texts()
    (reader.block(author) if who_blocks == "reader" else author.block(reader))
    assert "across the block" not in texts()



def test_the_link_header_keeps_the_request_s_other_arguments(api, make_user, make_message,
                                                              staff, token_for):
    """Following `Link: rel="next"` asks for the same list: ?limit= and ?status= stay."""
    alice = make_user("alice")
    for n in range(5):
        message = make_message(alice, f"m{n}")
        api.post(f"/api/v1/messages/{message.id}/reports", {"category": "spam"},
                 token=token_for(make_user(), "write"))
    mod = token_for(staff.moderator, "moderate")
    answer = api.get("/api/v1/moderation/reports?limit=2&status=all", token=mod)
    next_url = re.match(r"<http://localhost([^>]+)>", answer.headers["Link"]).group(1)
    assert "status=all" in next_url and "limit=2" in next_url and "cursor=" in next_url
    assert len(api.get(next_url, token=mod).get_json()["items"]) == 2


def test_reading_notifications_marks_them_read_as_the_page_does(api, client, auth, make_user,
                                                                 token_for):
    """GET /notifications returns them as they were (unread) and marks them read: the
    nav's unread count drops, and the next read says so."""
    alice, bob = make_user("alice"), make_user("bob")
    bob.follow(alice)
    auth.login("alice")
    assert 'aria-label="1 unread"' in client.get("/public/").get_data(as_text=True)
    secret = token_for(alice, "read")
    first = api.get("/api/v1/notifications", token=secret).get_json()["items"]
    assert [(n["kind"], n["actor"], n["unread"]) for n in first] == [("follow", "bob", True)]
    assert User.get_by_id(alice.id).unread_count == 0
    assert "unread" not in client.get("/public/").get_data(as_text=True)
    assert Notification.select().where(Notification.read_at.is_null()).count() == 0
    again = api.get("/api/v1/notifications", token=secret).get_json()["items"]
    assert [n["unread"] for n in again] == [False]


# --- search ---------------------------------------------------------------------------------
def test_search_finds_what_the_search_page_finds_newest_first_in_pages(api, client, make_user,
                                                                       make_message):
    alice, bob = make_user("alice"), make_user("alicia")
    carol = make_user("carol")
    wanted = [make_message(alice, f"Tea time {n}").id for n in range(5)]
    make_message(bob, "tea, hidden", hidden=True)
    make_message(make_user("sus", suspended=True), "tea from a suspended account")
    make_message(carol, "coffee only")
    first = api.get("/api/v1/search?q=TEA&limit=3")
    assert first.status_code == 200
    body = first.get_json()
    assert [m["id"] for m in body["items"]] == wanted[::-1][:3]
    assert [p["username"] for p in body["people"]] == []
    next_url = re.match(r"<http://localhost([^>]+)>", first.headers["Link"]).group(1)
    assert "q=TEA" in next_url and "limit=3" in next_url
    rest = api.get(next_url).get_json()
    assert [m["id"] for m in rest["items"]] == wanted[::-1][3:] and rest["next"] is None
    page = client.get("/search/?q=TEA").get_data(as_text=True)
    assert all(f"/messages/{i}/" in page for i in wanted) and "tea, hidden" not in page
    people = api.get("/api/v1/search?q=@ali").get_json()
    assert [p["username"] for p in people["people"]] == ["alice", "alicia"]
    assert people["items"] == []


def test_search_respects_the_token_s_blocks(api, make_user, make_message, token_for):
    reader, author = make_user("reader"), make_user("author")
    make_message(author, "blocked words")
    secret = token_for(reader, "read")
    assert len(api.get("/api/v1/search?q=words", token=secret).get_json()["items"]) == 1
    reader.block(author)
    assert api.get("/api/v1/search?q=words", token=secret).get_json()["items"] == []
    assert len(api.get("/api/v1/search?q=words").get_json()["items"]) == 1


@pytest.mark.parametrize("q", ["", "   ", "!!!", '"', "-", "*", "--", "(", "()", "&=", '"" ""',
                               "@", "_", "\u00a0\u200b", "🙂"])
def test_a_search_without_words_is_a_422_on_q(api, q):
    from urllib.parse import quote
    answer = api.get(f"/api/v1/search?q={quote(q)}")
    assert is_problem(answer, 422) and "q" in answer.get_json()["errors"]
    assert is_problem(api.get("/api/v1/search"), 422)


@pytest.mark.parametrize("q", ["x" * 1000, "tea " * 250, '"tea', "tea -x", "tea*", "NEAR(tea",
                               "tea AND", "café 日本語 🙂", "a\x00b", "tea OR 1=1; --",
                               "@" + "a" * 40, "\u202etea", "tea\ud800"])
def test_junk_queries_never_fail(api, make_user, make_message, q):
    from urllib.parse import quote
    make_message(make_user("alice"), "tea café 日本語")
    answer = api.get(f"/api/v1/search?q={quote(q, errors='surrogatepass')}")
    assert answer.status_code in (200, 422), answer.get_data(as_text=True)
    assert answer.status_code == 200 or is_problem(answer, 422)
    assert is_problem(api.get(f"/api/v1/search?q={'x' * 1001}"), 422)


# --- suspensions: until -------------------------------------------------------------------
@pytest.fixture
def suspend(api, make_user, staff, token_for):
    """Function: suspend(body) -> the API's answer to a moderator suspending alice."""
    make_user("alice")
    mod = token_for(staff.moderator, "moderate")
    return lambda body: api.post("/api/v1/moderation/users/alice/suspend", body, token=mod)


def test_a_suspension_lasts_until_the_date_time_given(suspend, audit_rows):
    import datetime
    end = (utcnow() + datetime.timedelta(days=3)).replace(microsecond=0)
    answer = suspend({"reason": "spam", "until": (end + datetime.timedelta(hours=2)).isoformat()
                      + "+02:00"})
    assert answer.status_code == 200 and answer.get_json()["suspended"] is True
    alice = User.get(User.username == "alice")
    assert alice.suspended_until.replace(microsecond=0) == end
    assert audit_rows("suspend")[0].details["until"] == end.isoformat(timespec="minutes")
    notice = Notification.get(Notification.recipient == alice.id)
    assert f"until {end:%Y-%m-%d %H:%M} UTC" in notice.text


def test_without_until_a_suspension_lasts_until_restored(suspend):
    assert suspend({"reason": "spam", "until": None}).status_code == 200
    alice = User.get(User.username == "alice")
    assert alice.is_suspended and alice.suspended_until is None


@pytest.mark.parametrize("until", ["2000-01-01T00:00:00Z", "tomorrow", "2026-13-01T00:00:00Z",
                                   "", 7, "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                                   "1970-01-01"])
def test_a_past_or_unparsable_until_is_a_422_on_until_and_changes_nothing(suspend, audit_rows,
                                                                         until):
    answer = suspend({"reason": "spam", "until": until})
    assert is_problem(answer, 422) and "until" in answer.get_json()["errors"], answer.get_json()
    assert not User.get(User.username == "alice").is_suspended and audit_rows() == []
    assert Notification.select().count() == 0


def test_days_is_not_the_api_s_word(suspend):
    answer = suspend({"reason": "spam", "days": 7})
    assert is_problem(answer, 422) and "days" in answer.get_json()["errors"]
    assert not User.get(User.username == "alice").is_suspended


def test_the_site_s_form_still_takes_days_through_the_same_rule(client, as_mod, make_user):
    import datetime
    make_user("alice")
    make_user("bob")
    refused = client.post("/users/alice/suspend/", data={"reason": "spam", "days": "2"})
    assert refused.status_code == 400 and not User.get(User.username == "alice").is_suspended
    assert client.post("/users/alice/suspend/", data={"reason": "spam", "days": "7"}).status_code \
        == 302
    left = User.get(User.username == "alice").suspended_until - utcnow()
    assert datetime.timedelta(days=6, hours=23) < left <= datetime.timedelta(days=7)
    assert client.post("/users/bob/suspend/", data={"reason": "spam", "days": ""}).status_code \
        == 302
    assert User.get(User.username == "bob").suspended_until is None


# --- pages to the end while people post ----------------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/timelines/public?limit=4",
                                 "/api/v1/users/alice/messages?limit=4"])
def test_following_next_to_the_end_while_people_post_has_no_gaps_or_repeats(
        api, make_user, make_message, token_for, url):
    """Newest first by (pub_date, id): messages sharing a timestamp are neither skipped nor
    repeated at a page's edge, and what is posted meanwhile (newer) stays above the pages."""
    import datetime
    alice = make_user("alice")
    stamp = utcnow() - datetime.timedelta(hours=1)
    ids = set()
    for n in range(19):  # groups of three share a timestamp
        ids.add(make_message(alice, f"m{n}", pub_date=stamp + datetime.timedelta(
            seconds=n // 3)).id)
    secret = token_for(alice, "write")
    seen, next_url, pages = [], url, 0
    while next_url:
        answer = api.get(next_url)
        body = answer.get_json()
        assert answer.status_code == 200 and len(body["items"]) <= 4
        seen += [m["id"] for m in body["items"]]
        assert (body["next"] is None) == ("Link" not in answer.headers)
        link = answer.headers.get("Link")
        next_url = re.match(r"<http://localhost([^>]+)>", link).group(1) if link else None
        assert next_url is None or "limit=4" in next_url
        posted = api.post("/api/v1/messages", {"content": f"meanwhile {pages}"}, token=secret)
        assert posted.status_code == 201
        pages += 1
    assert len(seen) == len(set(seen)), "a message came twice"
    assert set(seen) == ids, "a message was skipped"
    dates = [(Message.get_by_id(i).pub_date, i) for i in seen]
    assert dates == sorted(dates, reverse=True) and pages == 5


@pytest.mark.parametrize("limit", [1, 20, 100])
@pytest.mark.parametrize("viewer", ["anonymous", "token", "token that blocks"])
def test_a_public_timeline_page_runs_at_most_three_queries(api, make_user, make_message,
                                                           count_queries, token_for, limit,
                                                           viewer):
    alice, bob = make_user("alice"), make_user("bob")
    for n in range(30):
        make_message(alice if n % 2 else bob, f"m{n} @bob #tag")
    if viewer == "token that blocks":
        alice.block(make_user("carol"))
    token = token_for(alice, "read") if viewer != "anonymous" else None
    api.get("/api/v1/timelines/public", token=token)  # last_used is written once a minute
    with count_queries() as counted:
        answer = api.get(f"/api/v1/timelines/public?limit={limit}", token=token)
    assert answer.status_code == 200 and len(answer.get_json()["items"]) == min(limit, 30)
    assert counted.n <= 3, counted.statements
