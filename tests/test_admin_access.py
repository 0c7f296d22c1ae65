"""Who may use which back-office URL: every endpoint of every view, for each role.

Anonymous visitors are sent to the login page, plain users get 403, moderators
and admins are in; endpoints a view does not offer answer 403 to everyone, and
the admin-only actions and the audit log hold on every endpoint, not just in
the menu.
"""
import pytest
from playhouse.shortcuts import model_to_dict

from adminapp import moderation
from adminapp.models import Message, Relationship, Report, User

ROLES = ("anonymous", "user", "moderator", "admin")
LOGIN_AS = {"user": "alice", "moderator": "mod", "admin": "root"}

# expected status for (anonymous, user, moderator, admin); "login" = 302 to /login/?next=
STAFF = ("login", 403, 200, 200)
STAFF_REDIRECT = ("login", 403, 302, 302)   # actions answer with a redirect back to the list
NOBODY = ("login", 403, 403, 403)           # endpoints the view turns off
NOT_FOUND = ("login", 403, 404, 404)        # no ajax refs, no editable columns
ADMIN_EDIT = ("login", 403, 403, 200)

VIEWS = {
    # endpoint: (a harmless action, the id placeholder of a row)
    "user": ("restore", "{bob}"),
    "message": ("unhide", "{message}"),
    "relationship": ("remove", "{follow}"),
    "report": ("dismiss", "{report}"),
    "auditlog": ("delete", "{entry}"),
}


def endpoints(view):
    """(method, url, form data, expected statuses by role) for every endpoint of `view`."""
    if view == "dashboard":
        return [("GET", "/admin/", None, STAFF)]
    action, rowid = VIEWS[view]
    base = f"/admin/{view}/"
    return [
        ("GET", base, None, STAFF),
        ("GET", f"{base}?page_size=100&sort=0&desc=1", None, STAFF),
        ("GET", f"{base}details/?id={rowid}", None, STAFF),
        ("GET", f"{base}edit/?id={rowid}", None, ADMIN_EDIT if view == "user" else NOBODY),
        ("POST", f"{base}edit/?id={rowid}", {"role": "user"},
         ("login", 403, 403, 302) if view == "user" else NOBODY),
        ("GET", f"{base}new/", None, NOBODY),
        ("POST", f"{base}new/", {"action": "x"}, NOBODY),
        ("POST", f"{base}delete/", {"id": rowid}, NOBODY),
        ("GET", f"{base}export/csv/", None, STAFF),
        ("GET", f"{base}ajax/lookup/?name=user&query=a", None, NOT_FOUND),
        ("POST", f"{base}ajax/update/", {"list_form_pk": rowid}, NOT_FOUND),
        # last: the action may change the row the other URLs point at
        ("POST", f"{base}action/", {"action": action, "rowid": rowid}, STAFF_REDIRECT),
    ]


@pytest.fixture
def world(staff, make_user, make_message, audit_rows):
    """The staff, root (admin) and mod (moderator); alice and bob (users); a message, a
    follow, a report and an audit entry. Returns the ids the URLs need."""
    alice, bob = make_user("alice"), make_user("bob")
    message = make_message(bob, "hello from bob")
    alice.follow(bob)
    report = Report.file(alice, message, "spam")
    moderation.suspend_user(staff.admin, make_user("carol"), "test")
    entry, = audit_rows()
    return {"bob": bob.id, "message": message.id, "report": report.id, "entry": entry.id,
            "follow": Relationship.get().id}


def outcome(response):
    """"login" for a redirect to the login page, else the status code."""
    if response.status_code == 302 and response.headers["Location"].startswith("/login/?next="):
        return "login"
    return response.status_code


@pytest.mark.parametrize("view", ["dashboard", *VIEWS])
@pytest.mark.parametrize("role", ROLES)
def test_role_endpoint_matrix(client, auth, world, role, view):
    """Each endpoint of `view` answers `role` as the table says (all mismatches reported)."""
    if role != "anonymous":
        auth.login(LOGIN_AS[role])
    mismatches = []
    for method, url, data, expected in endpoints(view):
        url = url.format(**world)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={k: str(v).format(**world) for k, v in data.items()})
        want = expected[ROLES.index(role)]
        if outcome(response) != want:
            mismatches.append(f"{method} {url}: {outcome(response)}, expected {want}")
    assert mismatches == []


def test_plain_users_change_nothing_through_the_actions(client, auth, world, audit_rows):
    auth.login("alice")
    for view, (action, rowid) in VIEWS.items():
        client.post(f"/admin/{view}/action/", data={"action": action,
                                                    "rowid": rowid.format(**world)})
    assert Relationship.select().count() == 1
    assert Report.get_by_id(world["report"]).resolved_at is None
    assert len(audit_rows()) == 1


def test_login_redirect_keeps_the_admin_url(client, world):
    response = client.get("/admin/message/?search=bob")
    assert response.headers["Location"] == "/login/?next=/admin/message/?search%3Dbob"


# --- admin-only actions -----------------------------------------------------------------
def test_moderator_cannot_change_roles_through_the_actions(client, auth, world, audit_rows):
    auth.login("mod")
    for action in ("set_moderator", "set_user"):
        client.post("/admin/user/action/", data={"action": action, "rowid": world["bob"]})
    assert User.get_by_id(world["bob"]).role == "user"
    assert audit_rows("set_role") == []


def test_moderator_cannot_edit_a_role(client, auth, world):
    auth.login("mod")
    response = client.post(f"/admin/user/edit/?id={world['bob']}", data={"role": "moderator"})
    assert response.status_code == 403
    assert User.get_by_id(world["bob"]).role == "user"


def test_moderator_cannot_delete_a_message(client, auth, world):
    auth.login("mod")
    page = client.get("/admin/message/").get_data(as_text=True)
    assert 'data-model-action="delete_message"' not in page   # not offered ...
    for action in ("delete_message", "delete"):   # ours, and Flask-Admin's raw delete
        client.post("/admin/message/action/", data={"action": action, "rowid": world["message"]})
    assert Message.get_or_none(Message.id == world["message"]) is not None   # ... nor run


def test_admin_actions_are_offered_to_admins_only(client, auth, world):
    auth.login("mod")
    page = client.get("/admin/user/").get_data(as_text=True)
    assert 'data-model-action="suspend"' in page and 'data-model-action="set_moderator"' not in page
    auth.logout()
    auth.login("root")
    page = client.get("/admin/user/").get_data(as_text=True)
    assert 'data-model-action="set_moderator"' in page and 'data-model-action="set_user"' in page


def test_actions_need_a_csrf_token(client, auth, world):
    auth.login("root")
    response = client.post("/admin/user/action/", csrf=False,
                           data={"action": "set_moderator", "rowid": world["bob"]})
    assert response.status_code == 400
    assert User.get_by_id(world["bob"]).role == "user"


# --- the audit log cannot be changed, by anyone ---------------------------------------------
@pytest.mark.parametrize("who", ["mod", "root"])
def test_audit_log_cannot_be_changed_through_any_endpoint(client, auth, world, audit_rows, who):
    def stored():  # every column of every entry, as stored
        return [model_to_dict(entry, recurse=False) for entry in audit_rows()]

    before = stored()
    entry = world["entry"]
    auth.login(who)
    attempts = [
        ("/admin/auditlog/new/", {"action": "forged", "target_model": "user", "target_id": "1"}),
        (f"/admin/auditlog/edit/?id={entry}", {"action": "forged", "details": "{}"}),
        ("/admin/auditlog/delete/", {"id": entry}),
        ("/admin/auditlog/action/", {"action": "delete", "rowid": entry}),
        ("/admin/auditlog/ajax/update/", {"list_form_pk": entry, "action": "forged"}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code in (302, 403, 404), url
    assert stored() == before


def test_audit_log_offers_no_actions_even_to_admins(client, auth, world):
    auth.login("root")
    page = client.get("/admin/auditlog/").get_data(as_text=True)
    assert 'name="rowid"' not in page and "With selected" not in page
    details = client.get(f"/admin/auditlog/details/?id={world['entry']}").get_data(as_text=True)
    assert "/admin/auditlog/edit/" not in details
