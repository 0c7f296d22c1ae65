"""The moderation verbs: who may do what, one change and one audit row each;
and the same verbs one click away on the public pages."""
import pytest

from adminapp import moderation
from adminapp.models import Message, Relationship, Report, User


@pytest.fixture
def accounts(staff, make_user):
    """One account per role, by role name (the staff's admin and moderator among them),
    and a second moderator and admin."""
    return {"user": make_user("user"), "moderator": staff.moderator, "admin": staff.admin,
            "moderator2": make_user("moderator2", role="moderator"),
            "admin2": make_user("admin2", role="admin")}


def fresh(row):
    return type(row).get_by_id(row.id)


@pytest.mark.parametrize("actor, target, allowed", [
    ("moderator", "user", True), ("admin", "user", True), ("admin", "moderator", True),
    ("moderator", "moderator2", False), ("moderator", "admin", False), ("admin", "admin2", False),
    ("user", "user", False), ("moderator", "moderator", False), ("admin", "admin", False),
])
def test_suspend_and_hide_follow_the_role_rule(accounts, make_message, audit_rows, actor, target,
                                               allowed):
    actor, target = accounts[actor], accounts[target]
    message = make_message(target, "some text")
    verbs = [lambda: moderation.suspend_user(actor, target, "spam"),
             lambda: moderation.hide_message(actor, message, "spam")]
    for verb in verbs:
        if allowed:
            verb()
        else:
            with pytest.raises(moderation.NotAllowed):
                verb()
    assert fresh(target).is_suspended == allowed
    assert fresh(message).is_hidden == allowed
    assert len(audit_rows()) == (2 if allowed else 0)


def test_suspended_moderator_cannot_act(accounts):
    moderation.suspend_user(accounts["admin"], accounts["moderator"], "holiday")
    with pytest.raises(moderation.NotAllowed):
        moderation.suspend_user(fresh(accounts["moderator"]), accounts["user"], "x")


def test_hide_writes_one_audit_row_and_unhide_brings_it_back(accounts, make_message, audit_rows):
    mod, author = accounts["moderator"], accounts["user"]
    message = make_message(author, "rude words")
    moderation.hide_message(mod, message, "abuse")
    row = fresh(message)
    assert row.is_hidden and row.hidden_by.id == mod.id and row.hidden_reason == "abuse"
    moderation.hide_message(mod, row, "again")  # already hidden: nothing to record
    moderation.unhide_message(mod, row, "appeal accepted")
    assert not fresh(message).is_hidden
    log = audit_rows()
    assert [(e.action, e.actor.id, e.target_model, e.target_id) for e in log] == [
        ("hide", mod.id, "message", str(message.id)), ("unhide", mod.id, "message", str(message.id))]
    assert log[0].details == {"before": "visible", "after": "hidden", "reason": "abuse",
                              "notified": ["hidden"]}
    assert log[1].details["reason"] == "appeal accepted"


def test_set_role_is_for_admins_and_below_their_own_role(accounts, audit_rows):
    admin, mod, user = accounts["admin"], accounts["moderator"], accounts["user"]
    with pytest.raises(moderation.NotAllowed, match="Only an admin"):
        moderation.set_role(mod, user, "moderator")
    with pytest.raises(moderation.NotAllowed, match="below your own"):
        moderation.set_role(admin, user, "admin")
    with pytest.raises(moderation.NotAllowed):
        moderation.set_role(admin, accounts["admin2"], "user")
    with pytest.raises(moderation.NotAllowed, match="Unknown role"):
        moderation.set_role(admin, user, "king")
    moderation.set_role(admin, user, "moderator", "trusted")
    assert fresh(user).role == "moderator"
    entry, = audit_rows()
    assert (entry.action, entry.details["before"], entry.details["after"]) == ("set_role", "user", "moderator")


def test_remove_follow(accounts, audit_rows):
    user, mod = accounts["user"], accounts["moderator"]
    other = accounts["moderator2"]
    user.follow(other)
    rel = Relationship.get()
    moderation.remove_follow(mod, rel, "harassment")
    assert Relationship.select().count() == 0
    assert [e.action for e in audit_rows()] == ["remove_follow"]


def test_resolve_report_hide_and_dismiss(accounts, make_user, make_message, audit_rows):
    mod, author = accounts["moderator"], accounts["user"]
    reporter = make_user("reporter")
    spam, fine = make_message(author, "buy now"), make_message(author, "nice day")
    first = Report.file(reporter, spam, "spam")
    second = Report.file(reporter, fine, "other")
    moderation.resolve_report(mod, first, "hide")
    moderation.resolve_report(mod, second, "dismiss", "nothing wrong")
    assert fresh(spam).is_hidden and not fresh(fine).is_hidden
    assert (fresh(first).resolution, fresh(second).resolution) == ("hide", "dismiss")
    assert [e.action for e in audit_rows()] == ["hide", "resolve_report", "resolve_report"]
    with pytest.raises(moderation.NotAllowed, match="already resolved"):
        moderation.resolve_report(mod, fresh(first), "dismiss")


def test_a_refused_verb_changes_nothing(accounts, make_message, audit_rows):
    message = make_message(accounts["admin"], "admin's words")
    report = Report.file(accounts["user"], message, "abuse")
    with pytest.raises(moderation.NotAllowed):
        moderation.resolve_report(accounts["moderator"], report, "hide")
    assert fresh(report).resolved_at is None and not fresh(message).is_hidden
    assert audit_rows() == []


def test_hard_delete_is_for_admins_and_says_what_it_removes(accounts, make_user, make_message,
                                                            audit_rows):
    admin, mod, victim = accounts["admin"], accounts["moderator"], accounts["user"]
    fan = make_user("fan")
    fan.follow(victim)
    victim.follow(fan)
    message = make_message(victim, "bye")
    Report.file(fan, message, "spam")
    with pytest.raises(moderation.NotAllowed):
        moderation.delete_user(mod, victim)
    removed = moderation.delete_user(admin, victim, "spam account")
    assert removed == {"messages": 1, "follows": 2, "reports": 1}
    assert User.get_or_none(User.id == victim.id) is None
    assert Message.select().count() == 0 and Relationship.select().count() == 0
    entry, = audit_rows()
    assert (entry.action, entry.target_model, entry.details["removed"]) == ("delete", "user", removed)


def test_a_moderator_who_acted_is_suspended_rather_than_deleted(accounts, make_message):
    moderation.hide_message(accounts["moderator"], make_message(accounts["user"]), "spam")
    with pytest.raises(moderation.NotAllowed, match="suspend the account instead"):
        moderation.delete_user(accounts["admin"], accounts["moderator"])


def test_audit_log_is_append_only(accounts, make_message, audit_rows):
    moderation.hide_message(accounts["moderator"], make_message(accounts["user"]), "spam")
    entry, = audit_rows()
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete_instance()
    assert [e.action for e in audit_rows()] == ["hide"]


# --- on the public pages -----------------------------------------------------------------
def test_moderator_sees_hide_and_hides_from_the_timeline(client, auth, accounts, make_message,
                                                          audit_rows):
    message = make_message(accounts["user"], "to be hidden")
    auth.login("mod")
    html = client.get("/public/").get_data(as_text=True)
    assert f'action="/messages/{message.id}/hide/?next=' in html
    response = client.post(f"/messages/{message.id}/hide/?next=/public/")
    assert response.status_code == 302 and response.headers["Location"] == "/public/"
    assert fresh(message).hidden_reason == "Hidden by a moderator"
    assert "to be hidden" not in client.get("/public/").get_data(as_text=True)
    assert [e.actor.id for e in audit_rows()] == [accounts["moderator"].id]
    client.post(f"/messages/{message.id}/unhide/")
    assert "to be hidden" in client.get("/public/").get_data(as_text=True)


def test_no_hide_button_where_the_verb_would_refuse(client, auth, accounts, make_message):
    mine = make_message(accounts["moderator"], "my own")
    admins = make_message(accounts["admin"], "the admin's")
    auth.login("mod")
    html = client.get("/public/").get_data(as_text=True)
    assert f"/messages/{mine.id}/hide/" not in html and f"/messages/{admins.id}/hide/" not in html
    response = client.post(f"/messages/{admins.id}/hide/")
    assert response.status_code == 403 and "is not below yours" in response.get_data(as_text=True)
    assert not fresh(admins).is_hidden


def test_plain_user_gets_no_button_and_403(client, auth, accounts, make_user, make_message,
                                           audit_rows):
    message = make_message(make_user("other"), "text")
    auth.login("user")
    assert "/hide/" not in client.get("/public/").get_data(as_text=True)
    assert client.post(f"/messages/{message.id}/hide/").status_code == 403
    assert client.post("/users/other/suspend/").status_code == 403
    assert not fresh(message).is_hidden and audit_rows() == []


def test_moderator_suspends_and_restores_from_the_profile(client, auth, accounts, make_message,
                                                         audit_rows):
    make_message(accounts["user"], "visible until suspended")
    auth.login("mod")
    assert 'action="/users/user/suspend/"' in client.get("/users/user/").get_data(as_text=True)
    assert client.post("/users/user/suspend/").status_code == 302
    assert fresh(accounts["user"]).is_suspended
    assert "visible until suspended" not in client.get("/public/").get_data(as_text=True)
    assert 'action="/users/user/restore/"' in client.get("/users/user/").get_data(as_text=True)
    client.post("/users/user/restore/")
    assert not fresh(accounts["user"]).is_suspended
    assert [e.action for e in audit_rows()] == ["suspend", "restore"]


def test_hide_and_suspend_need_csrf(client, auth, accounts, make_message, audit_rows):
    message = make_message(accounts["user"])
    auth.login("mod")
    assert client.post(f"/messages/{message.id}/hide/", csrf=False).status_code == 400
    assert client.post("/users/user/suspend/", csrf=False).status_code == 400
    assert audit_rows() == []
