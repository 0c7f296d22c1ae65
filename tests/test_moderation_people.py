"""Moderation that talks to the people moderated: their notices, warnings and strikes, the
hidden message its author may still read, and the rule fixes (dismiss, restore)."""
import datetime

import pytest

from adminapp import moderation
from adminapp.models import AuditLog, Notification, Report, User, utcnow
from tests import admin_support as adm


@pytest.fixture
def accounts(staff, make_user):
    return {"user": make_user("user"), "moderator": staff.moderator, "admin": staff.admin,
            "reporter": make_user("reporter")}


def notices_of(user):
    """(kind, text) of `user`'s notifications, oldest first; moderators are never named."""
    rows = Notification.select().where(Notification.recipient == user.id).order_by(Notification.id)
    assert all(n.actor_id is None for n in rows)
    return [(n.kind, n.text) for n in rows]


def fresh(user):
    return User.get_by_id(user.id)


# --- notices ------------------------------------------------------------------------------
def test_suspension_restoration_and_warning_are_told_with_the_reason(accounts):
    mod, user = accounts["moderator"], accounts["user"]
    moderation.warn_user(mod, user, "Spam")
    moderation.suspend_user(mod, user, "Abusive language")
    moderation.restore_user(mod, fresh(user), "Appeal accepted")
    assert notices_of(user) == [("warned", "Spam"), ("suspended", "Abusive language"),
                                ("restored", "Appeal accepted")]
    notified = [entry.details.get("notified") for entry in AuditLog.select().order_by(AuditLog.id)]
    assert notified == [["warned"], ["suspended"], ["restored"]]


def test_the_author_of_a_hidden_message_reads_it_and_why(client, auth, accounts, make_message):
    message = make_message(accounts["user"], "my words")
    moderation.hide_message(accounts["moderator"], message, "Off-topic")
    auth.login("user")
    page = client.get(f"/messages/{message.id}/").get_data(as_text=True)
    assert "Your message is hidden by the moderators: Off-topic." in page and "my words" in page
    notice = client.get("/notifications/").get_data(as_text=True)
    assert "Your message was hidden by the moderators: Off-topic" in notice
    assert 'href="/users/mod/"' not in notice   # nobody named for a moderator's decision
    auth.logout()
    auth.login("reporter")
    assert client.get(f"/messages/{message.id}/").status_code == 404
    auth.logout()
    assert client.get(f"/messages/{message.id}/").status_code == 404


# --- warnings -----------------------------------------------------------------------------
def test_a_warning_is_a_strike_with_a_reason_and_nothing_else(accounts):
    mod, user = accounts["moderator"], accounts["user"]
    for reason in ("Spam", "Off-topic"):
        moderation.warn_user(mod, user, reason)
    assert moderation.strikes(user.id) == 2
    assert fresh(user).suspended_at is None
    with pytest.raises(moderation.NotAllowed, match="needs a reason"):
        moderation.warn_user(mod, user, "   ")
    with pytest.raises(moderation.NotAllowed):
        moderation.warn_user(mod, accounts["admin"], "Spam")   # not above an admin
    with pytest.raises(moderation.NotAllowed):
        moderation.warn_user(accounts["reporter"], user, "Spam")
    assert moderation.strikes(user.id) == 2 and moderation.strikes(accounts["admin"].id) == 0



def test_the_same_warning_twice_in_a_moment_is_one_strike(accounts):
    """A double click on Warn (the same moderator, the same reason, within seconds) gives
    one strike and one notice; the same warning later is a second strike."""
    mod, user = accounts["moderator"], accounts["user"]
    first = moderation.warn_user(mod, user, "Spam")
    assert moderation.warn_user(mod, user, "Spam").id == first.id
    assert moderation.strikes(user.id) == 1
    assert Notification.select().where((Notification.recipient == user.id)
                                       & (Notification.kind == "warned")).count() == 1
    AuditLog.update(created=utcnow() - datetime.timedelta(
        seconds=moderation.WARN_REPEAT_SECONDS + 1)).where(AuditLog.id == first.id).execute()
    assert moderation.warn_user(mod, user, "Spam").id != first.id
    assert moderation.strikes(user.id) == 2


def test_warn_from_the_profile_and_the_back_office(client, auth, accounts):
    auth.login("mod")
    page = client.get("/users/user/").get_data(as_text=True)
    assert 'action="/users/user/warn/"' in page and 'name="reason" value="Spam"' in page
    response = client.post("/users/user/warn/", data={"reason": "Spam"})
    assert response.status_code == 302 and moderation.strikes(accounts["user"].id) == 1
    assert client.post("/users/user/warn/", data={"reason": ""}).status_code == 400
    assert client.post("/users/root/warn/", data={"reason": "Spam"}).status_code == 403
    adm.act(client, "user", "warn", [accounts["user"].id], reason="Advertising")
    assert moderation.strikes(accounts["user"].id) == 2
    rows = adm.export(client, "user", "?search=user")
    assert {r["Username"]: r["Strikes"] for r in rows}["user"] == "2"
    details = client.get(f"/admin/user/details/?id={accounts['user'].id}").get_data(as_text=True)
    assert "Strikes" in details
    auth.logout()
    auth.login("reporter")
    assert client.post("/users/user/warn/", data={"reason": "Spam"}).status_code == 403
    assert 'action="/users/user/warn/"' not in client.get("/users/user/").get_data(as_text=True)


# --- rule fixes ---------------------------------------------------------------------------
@pytest.mark.parametrize("author, allowed", [("moderator", False), ("admin", False),
                                             ("user", True)])
def test_dismissing_a_report_follows_the_rule_of_hiding(accounts, make_message, author, allowed):
    """A moderator may not dismiss reports on their own messages, nor on an admin's."""
    message = make_message(accounts[author], "reported")
    report = Report.file(accounts["reporter"], message, "spam")
    if allowed:
        moderation.resolve_report(accounts["moderator"], report, "dismiss")
        assert Report.get_by_id(report.id).resolution == "dismiss"
    else:
        with pytest.raises(moderation.NotAllowed):
            moderation.resolve_report(accounts["moderator"], report, "dismiss")
        assert Report.get_by_id(report.id).resolved_at is None


def test_a_moderator_cannot_lift_an_admins_suspension(accounts, make_user):
    mod, admin, user = accounts["moderator"], accounts["admin"], accounts["user"]
    moderation.suspend_user(admin, user, "Illegal content")
    with pytest.raises(moderation.NotAllowed, match="only an admin"):
        moderation.restore_user(mod, fresh(user))
    assert fresh(user).suspended_at is not None
    moderation.restore_user(admin, fresh(user))
    assert fresh(user).suspended_at is None
    other = make_user("other")
    moderation.suspend_user(mod, other, "Spam")        # a moderator's suspension
    moderation.restore_user(mod, fresh(other))         # is a moderator's to lift
    assert fresh(other).suspended_at is None


# --- timed suspensions ----------------------------------------------------------------------
def test_a_timed_suspension_says_when_it_ends(accounts):
    mod, user = accounts["moderator"], accounts["user"]
    moderation.suspend_user(mod, user, "Spam", days=7)
    user = fresh(user)
    left = user.suspended_until - utcnow()
    assert datetime.timedelta(days=6, hours=23) < left <= datetime.timedelta(days=7)
    (kind, text), = notices_of(user)
    assert kind == "suspended" and text.startswith("Spam (until ") and text.endswith(" UTC)")
    entry = AuditLog.select().where(AuditLog.action == "suspend").get()
    assert entry.details["until"] == user.suspended_until.isoformat(timespec="minutes")
    with pytest.raises(moderation.NotAllowed, match="1, 7 or 30 days"):
        moderation.suspend_user(mod, accounts["reporter"], "Spam", days=5)
    moderation.restore_user(mod, user)
    assert fresh(user).suspended_until is None


def test_a_due_suspension_is_lifted_by_the_system_and_audited(accounts):
    mod, user = accounts["moderator"], accounts["user"]
    moderation.suspend_user(mod, user, "Spam", days=1)
    moderation.suspend_user(mod, accounts["reporter"], "Spam")   # until restored: stays
    assert moderation.lift_due_suspensions() == 0
    User.update(suspended_until=utcnow() - datetime.timedelta(minutes=1)).where(
        User.id == user.id).execute()
    assert moderation.lift_due_suspensions() == 1
    assert moderation.lift_due_suspensions() == 0           # once
    assert fresh(user).suspended_at is None and fresh(accounts["reporter"]).is_suspended
    lifted = AuditLog.select().where(AuditLog.action == "restore").get()
    assert lifted.actor_id is None and lifted.details["reason"] == "The suspension ended."
    assert notices_of(user)[-1] == ("restored", "Your suspension ended.")


def test_login_lifts_a_due_suspension_and_explains_a_running_one(client, auth, accounts):
    moderation.suspend_user(accounts["moderator"], accounts["user"], "Spam", days=30)
    response = auth.login("user")
    assert response.status_code == 403
    until = fresh(accounts["user"]).suspended_until
    assert f"This account is suspended until {until:%Y-%m-%d %H:%M} UTC." in \
        response.get_data(as_text=True)
    User.update(suspended_until=utcnow() - datetime.timedelta(seconds=1)).where(
        User.username == "user").execute()
    assert auth.login("user").status_code == 302
    assert fresh(accounts["user"]).suspended_at is None


def test_the_dashboard_lifts_due_suspensions(client, auth, accounts):
    moderation.suspend_user(accounts["moderator"], accounts["user"], "Spam", days=1)
    User.update(suspended_until=utcnow() - datetime.timedelta(hours=1)).where(
        User.username == "user").execute()
    auth.login("mod")
    assert client.get("/admin/").status_code == 200
    assert fresh(accounts["user"]).suspended_at is None


def test_suspend_from_the_profile_with_a_reason_and_a_length(client, auth, accounts):
    auth.login("mod")
    page = client.get("/users/user/").get_data(as_text=True)
    assert 'action="/users/user/suspend/"' in page and 'name="days" value="7"' in page
    assert client.post("/users/user/suspend/", data={"reason": "Spam", "days": "5"}).status_code \
        == 400
    response = client.post("/users/user/suspend/", data={"reason": "Advertising", "days": "30"})
    assert response.status_code == 302
    user = fresh(accounts["user"])
    assert user.is_suspended and user.suspended_until > utcnow() + datetime.timedelta(days=29)
    assert notices_of(user)[-1][1].startswith("Advertising (until ")
