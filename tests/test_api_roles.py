"""Who may do what through the API: every operation of the contract (docs/architecture.md,
"The JSON API") as each kind of caller, and with each scope missing. The rules are the
site's (docs/architecture.md, "Roles"): anonymous callers read public data and get a 401
(`WWW-Authenticate: Bearer`) for the rest; a suspended account's tokens stop working; a
token lacking the scope an operation needs gets a 403; staff moderate, a moderator never an
admin or another moderator. A refused call writes nothing."""
import collections

import pytest

from adminapp.models import (ApiToken, AuditLog, Message, MessageLike, Relationship, Report,
                             User, utcnow)

PROBLEM = "application/problem+json"
ALL_SCOPES = ("read", "write", "moderate")

Op = collections.namedtuple("Op", "method url body scope ok effect")


def count(model, *where):
    """Effect: how many rows of `model` match (a change means something was written)."""
    return lambda w: model.select().where(*where).count() if where else model.select().count()


def bob_state(w):
    bob = User.get_by_id(w.bob.id)
    return (bob.suspended_at is not None, AuditLog.select().count())


# Every operation of the contract but POST /tokens (a password, no token: test_api.py).
# scope None: public data, no token needed. `ok`: the status of success. `effect`: a value
# of the database that success changes (None: a read).
OPS = {
    "public timeline": Op("GET", "/api/v1/timelines/public", None, None, 200, None),
    "a message": Op("GET", "/api/v1/messages/{m}", None, None, 200, None),
    "a profile": Op("GET", "/api/v1/users/bob", None, None, 200, None),
    "their messages": Op("GET", "/api/v1/users/bob/messages", None, None, 200, None),
    "followers": Op("GET", "/api/v1/users/bob/followers", None, None, 200, None),
    "following": Op("GET", "/api/v1/users/bob/following", None, None, 200, None),
    "search": Op("GET", "/api/v1/search?q=hello", None, None, 200, None),
    "home timeline": Op("GET", "/api/v1/timelines/home", None, "read", 200, None),
    "notifications": Op("GET", "/api/v1/notifications", None, "read", 200, None),
    "post": Op("POST", "/api/v1/messages", {"content": "new"}, "write", 201,
               count(Message)),
    "delete own": Op("DELETE", "/api/v1/messages/{own}", None, "write", 204, count(Message)),
    "like": Op("PUT", "/api/v1/messages/{m}/like", None, "write", 204, count(MessageLike)),
    "unlike": Op("DELETE", "/api/v1/messages/{liked}/like", None, "write", 204,
                 count(MessageLike)),
    "report": Op("POST", "/api/v1/messages/{m}/reports", {"category": "spam"}, "write", 201,
                 count(Report)),
    "follow": Op("PUT", "/api/v1/users/bob/follow", None, "write", 204, count(Relationship)),
    "unfollow": Op("DELETE", "/api/v1/users/carol/follow", None, "write", 204,
                   count(Relationship)),
    "report queue": Op("GET", "/api/v1/moderation/reports?status=all", None, "moderate", 200,
                       None),
    "resolve": Op("POST", "/api/v1/moderation/reports/{r}/resolve", {"outcome": "dismiss"},
                  "moderate", 204, count(Report, Report.resolved_at.is_null())),
    "hide": Op("POST", "/api/v1/moderation/messages/{m}/hide", {"reason": "spam"}, "moderate",
               200, count(Message, Message.hidden_at.is_null())),
    "unhide": Op("POST", "/api/v1/moderation/messages/{hidden}/unhide", {}, "moderate", 200,
                 count(Message, Message.hidden_at.is_null())),
    "suspend": Op("POST", "/api/v1/moderation/users/bob/suspend", {"reason": "spam"},
                  "moderate", 200, bob_state),
    "restore": Op("POST", "/api/v1/moderation/users/dora/restore", {}, "moderate", 200,
                  count(User, User.suspended_at.is_null())),
    "warn": Op("POST", "/api/v1/moderation/users/bob/warn", {"reason": "spam"}, "moderate", 200,
               bob_state),
    "audit log": Op("GET", "/api/v1/moderation/audit", None, "moderate", 200, None),
}
SCOPED = [name for name, op in OPS.items() if op.scope]


class World:
    """A small site: the callers (alice a user, mod, root an admin, sus suspended after
    making a token), bob and carol whom the callers act on, dora suspended by a moderator;
    bob's message `m`, a hidden one, an open report on `m`, each caller's own message
    (`own`) and a like of theirs (`liked`); every caller follows carol."""

    def __init__(self, make_user, make_message, staff):
        self.alice, self.mod, self.root = make_user("alice"), staff.moderator, staff.admin
        self.sus, self.bob, self.carol = make_user("sus"), make_user("bob"), make_user("carol")
        self.m = make_message(self.bob, "hello world")
        self.hidden = make_message(self.bob, "hidden hello", hidden=True)
        self.report = Report.file(self.carol, self.m, "spam")
        self.own, self.liked, self.tokens = {}, {}, {}
        for user in (self.alice, self.mod, self.root, self.sus):
            self.own[user.username] = make_message(user, f"mine, {user.username}").id
            self.liked[user.username] = make_message(self.carol, "liked").id
            user.like(Message.get_by_id(self.liked[user.username]))
            user.follow(self.carol)
            scopes = ALL_SCOPES if user.is_moderator else ("read", "write")
            self.tokens[user.username] = ApiToken.issue(user, "roles", scopes)[1]
        dora = make_user("dora")
        dora.suspended_at = utcnow()
        dora.save()
        self.sus.suspended_at = utcnow()  # after its token was made: the token stops working
        self.sus.save()

    def url(self, op, caller):
        """The operation's URL with this world's ids (the caller's own message and like)."""
        mine = caller if caller in self.own else "alice"
        return op.url.format(m=self.m.id, hidden=self.hidden.id, r=self.report.id,
                             own=self.own[mine], liked=self.liked[mine])


@pytest.fixture
def world(app, make_user, make_message, staff):
    return World(make_user, make_message, staff)


@pytest.fixture
def call(client):
    """call(method, url, body, token) -> the response."""
    def send(method, url, body=None, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(url, method=method, headers=headers,
                           **({"json": body} if body is not None else {}))
    return send


def is_problem(response, status):
    body = response.get_json() or {}
    return (response.status_code == status and response.mimetype == PROBLEM
            and body.get("status") == status and body.get("detail"))


def expected_status(op, caller):
    """What `caller` gets for `op`: the site's roles, in the API's statuses."""
    if caller == "anonymous":
        return op.ok if op.scope is None else 401
    if caller == "sus":
        return 401  # a suspended account's token is refused everywhere, public reads too
    if op.scope == "moderate" and caller == "alice":
        return 403  # a user's token cannot have the scope
    return op.ok


@pytest.mark.parametrize("caller", ["anonymous", "alice", "sus", "mod", "root"])
@pytest.mark.parametrize("name", list(OPS))
def test_each_role_gets_what_the_site_allows(world, call, name, caller):
    op = OPS[name]
    before = op.effect(world) if op.effect else None
    answer = call(op.method, world.url(op, caller), op.body, world.tokens.get(caller))
    expected = expected_status(op, caller)
    if expected >= 400:
        assert is_problem(answer, expected), (answer.status_code, answer.get_data(as_text=True))
        if expected == 401:
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert op.effect is None or op.effect(world) == before, "a refused call wrote"
    else:
        assert answer.status_code == expected, answer.get_data(as_text=True)
        assert op.effect is None or op.effect(world) != before, "success changed nothing"


@pytest.mark.parametrize("caller", ["mod", "root"])
@pytest.mark.parametrize("name", SCOPED)
def test_a_token_without_the_scope_gets_a_403_and_writes_nothing(world, call, name, caller):
    op = OPS[name]
    user = getattr(world, caller)
    token = ApiToken.issue(user, "narrow", [s for s in ALL_SCOPES if s != op.scope])[1]
    before = op.effect(world) if op.effect else None
    answer = call(op.method, world.url(op, caller), op.body, token)
    assert is_problem(answer, 403), answer.get_data(as_text=True)
    assert op.effect is None or op.effect(world) == before


@pytest.mark.parametrize("name", [name for name, op in OPS.items() if op.scope is None])
def test_public_reads_need_no_scope(world, call, name):
    """GETs of public data need no token (docs/architecture.md, "The JSON API"), so any
    live token reads them."""
    op = OPS[name]
    token = ApiToken.issue(world.alice, "writer", ["write"])[1]
    assert call(op.method, world.url(op, "alice"), op.body, token).status_code == op.ok


# On whom a moderator and an admin may act (nobody on themselves, an equal or higher role)
TARGETED = [("suspend", "/api/v1/moderation/users/{u}/suspend", {"reason": "x"}),
            ("warn", "/api/v1/moderation/users/{u}/warn", {"reason": "x"}),
            ("restore", "/api/v1/moderation/users/{u}/restore", {}),
            ("hide", "/api/v1/moderation/messages/{m}/hide", {"reason": "x"})]


@pytest.mark.parametrize("verb,url,body", TARGETED, ids=[t[0] for t in TARGETED])
@pytest.mark.parametrize("actor,target,expected", [
    ("mod", "bob", 200),     # a user
    ("mod", "mod", 403),     # themselves
    ("mod", "mod2", 403),    # an equal
    ("mod", "root", 403),    # an admin
    ("root", "mod", 200),    # an admin acts on a moderator
    ("root", "root2", 403),  # but not on another admin
])
def test_a_token_cannot_do_what_its_owner_cannot_on_the_site(world, call, make_user,
                                                            make_message, audit_rows, verb,
                                                            url, body, actor, target, expected):
    make_user("mod2", role="moderator")
    make_user("root2", role="admin")
    target_user = User.get(User.username == target)
    message = make_message(target_user, "by the target")
    before = len(audit_rows())
    answer = call("POST", url.format(u=target, m=message.id), body, world.tokens[actor])
    if expected == 403:
        assert is_problem(answer, 403), answer.get_data(as_text=True)
        assert len(audit_rows()) == before
        assert User.get_by_id(target_user.id).suspended_at is None
        assert Message.get_by_id(message.id).hidden_at is None
    else:
        assert answer.status_code == 200, answer.get_data(as_text=True)


def test_a_token_made_before_a_suspension_works_again_after_restore(world, call):
    token = world.tokens["sus"]
    assert is_problem(call("GET", "/api/v1/timelines/home", token=token), 401)
    assert call("POST", "/api/v1/moderation/users/sus/restore", {},
                world.tokens["mod"]).status_code == 200
    assert call("GET", "/api/v1/timelines/home", token=token).status_code == 200
