"""Undo and appeals: every reversible audit entry undone by its inverse verb (audited, linked,
once), the people hit by an action appealing it at /appeals/, and the moderators deciding in
/admin/appeal/ and seeing the figures on the dashboard."""
import pytest

from adminapp import moderation
from adminapp.models import Appeal, AuditLog, Message, Notification, Report, User
from tests import admin_support as adm


@pytest.fixture
def accounts(staff, make_user):
    return {"user": make_user("user"), "moderator": staff.moderator, "admin": staff.admin,
            "reporter": make_user("reporter")}


def fresh(row):
    return type(row).get_by_id(row.id)


def kinds_told(user):
    """The kinds of `user`'s notifications, oldest first."""
    return [n.kind for n in Notification.select().where(Notification.recipient == user.id)
            .order_by(Notification.id)]


def last_entry(action=None):
    query = AuditLog.select().order_by(AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    return query.first()


# --- undo: each reversible action -------------------------------------------------------------
def test_undo_a_hide_shows_the_message_and_tells_its_author(accounts, make_message):
    message = make_message(accounts["user"], "my words")
    moderation.hide_message(accounts["moderator"], message, "Spam")
    hide = last_entry("hide")
    undo = moderation.undo(accounts["moderator"], hide)
    assert fresh(message).hidden_at is None
    assert (undo.action, undo.undoes_id, undo.details["undoes"]) == ("unhide", hide.id, hide.id)
    assert fresh(hide).is_undone and not undo.is_undone
    assert kinds_told(accounts["user"]) == ["hidden", "unhidden"]


def test_undo_a_suspension_restores_the_user_and_tells_them(accounts):
    moderation.suspend_user(accounts["moderator"], accounts["user"], "Spam", days=7)
    undo = moderation.undo(accounts["moderator"], last_entry("suspend"))
    user = fresh(accounts["user"])
    assert user.suspended_at is None and user.suspended_until is None
    assert undo.action == "restore" and undo.undoes_id == last_entry("suspend").id
    assert kinds_told(user) == ["suspended", "restored"]


def test_undo_a_warning_withdraws_the_strike(accounts):
    user = accounts["user"]
    moderation.warn_user(accounts["moderator"], user, "Spam")
    moderation.warn_user(accounts["moderator"], user, "Off-topic")
    assert moderation.strikes(user.id) == 2
    undo = moderation.undo(accounts["moderator"], last_entry("warn"))
    assert moderation.strikes(user.id) == 1
    assert undo.action == "unwarn" and undo.details["before"] == "Off-topic"
    assert kinds_told(user) == ["warned", "warned", "unwarned"]


def test_undo_a_role_change_gives_the_previous_role(accounts):
    moderation.set_role(accounts["admin"], accounts["user"], "moderator")
    undo = moderation.undo(accounts["admin"], last_entry("set_role"))
    assert fresh(accounts["user"]).role == "user"
    assert (undo.action, undo.details["before"], undo.details["after"]) == (
        "set_role", "moderator", "user")


@pytest.mark.parametrize("outcome", ["hide", "dismiss"])
def test_undo_a_report_resolution_reopens_it(accounts, make_message, outcome):
    message = make_message(accounts["user"], "reported")
    report = Report.file(accounts["reporter"], message, "spam")
    moderation.resolve_report(accounts["moderator"], report, outcome)
    undo = moderation.undo(accounts["moderator"], last_entry("resolve_report"))
    report = fresh(report)
    assert (report.resolved_at, report.resolution, report.resolved_by_id) == (None, None, None)
    assert fresh(message).hidden_at is None
    assert undo.action == "reopen_report" and undo.target_id == str(report.id)
    actions = [e.action for e in AuditLog.select().order_by(AuditLog.id)]
    expected = ["hide", "resolve_report", "unhide", "reopen_report"] if outcome == "hide" else [
        "resolve_report", "reopen_report"]
    assert actions == expected


# --- undo: once, by whom --------------------------------------------------------------------
def test_undoing_twice_does_nothing_the_second_time(accounts, make_message):
    message = make_message(accounts["user"])
    moderation.hide_message(accounts["moderator"], message, "Spam")
    hide = last_entry("hide")
    moderation.undo(accounts["moderator"], hide)
    entries = AuditLog.select().count()
    with pytest.raises(moderation.NotAllowed, match="already undone"):
        moderation.undo(accounts["moderator"], fresh(hide))
    assert AuditLog.select().count() == entries


def test_what_cannot_be_undone(accounts, make_message):
    message = make_message(accounts["user"])
    moderation.hide_message(accounts["moderator"], message, "Spam")
    moderation.unhide_message(accounts["moderator"], fresh(message))
    with pytest.raises(moderation.NotAllowed, match="cannot be undone"):
        moderation.undo(accounts["moderator"], last_entry("unhide"))
    with pytest.raises(moderation.NothingToUndo, match="already ended"):
        moderation.undo(accounts["moderator"], last_entry("hide"))
    moderation.hide_message(accounts["moderator"], fresh(message), "Spam")   # hidden again:
    with pytest.raises(moderation.NothingToUndo, match="already ended"):      # not by the first
        moderation.undo(accounts["moderator"], AuditLog.select().where(
            AuditLog.action == "hide").order_by(AuditLog.id).first())
    moderation.undo(accounts["moderator"], last_entry("hide"))
    assert fresh(message).hidden_at is None


def test_an_appeal_of_an_action_undone_since_is_approved_without_a_second_undo(accounts):
    user = accounts["user"]
    moderation.warn_user(accounts["moderator"], user, "Spam")
    warn = last_entry("warn")
    appeal = Appeal.file(user, warn.id, "Wrong person")
    moderation.undo(accounts["admin"], warn)
    moderation.approve_appeal(accounts["moderator"], appeal)
    assert fresh(appeal).status == "approved"
    assert AuditLog.select().where(AuditLog.action == "unwarn").count() == 1


def test_a_moderator_cannot_undo_what_they_could_not_do(accounts, make_user):
    mod, admin, user = accounts["moderator"], accounts["admin"], accounts["user"]
    moderation.suspend_user(admin, user, "Illegal content")
    with pytest.raises(moderation.NotAllowed, match="only an admin"):
        moderation.undo(mod, last_entry("suspend"))
    other = make_user("other")
    moderation.set_role(admin, other, "moderator")
    with pytest.raises(moderation.NotAllowed, match="Only an admin"):
        moderation.undo(mod, last_entry("set_role"))
    with pytest.raises(moderation.NotAllowed):
        moderation.undo(accounts["reporter"], last_entry("suspend"))
    assert fresh(user).is_suspended and fresh(other).role == "moderator"
    assert not AuditLog.select().where(AuditLog.undoes.is_null(False)).exists()


# --- appeals: the verbs -----------------------------------------------------------------------
def test_approving_an_appeal_undoes_the_action_and_tells_the_person(accounts):
    user = accounts["user"]
    moderation.suspend_user(accounts["moderator"], user, "Spam")
    appeal = Appeal.file(user, last_entry("suspend").id, "I did not spam")
    moderation.approve_appeal(accounts["moderator"], appeal, "Our mistake")
    assert fresh(appeal).status == "approved" and fresh(appeal).decided_by_id == accounts["moderator"].id
    assert not fresh(user).is_suspended and fresh(last_entry("suspend")).is_undone
    assert kinds_told(user) == ["suspended", "restored", "appeal_approved"]
    assert last_entry().action == "approve_appeal" and last_entry().target_id == str(appeal.id)
    with pytest.raises(moderation.NotAllowed, match="already"):
        moderation.approve_appeal(accounts["moderator"], fresh(appeal))


def test_rejecting_an_appeal_needs_a_reason_and_tells_it(accounts):
    user = accounts["user"]
    moderation.warn_user(accounts["moderator"], user, "Spam")
    appeal = Appeal.file(user, last_entry("warn").id, "It was a joke")
    with pytest.raises(moderation.NotAllowed, match="needs a reason"):
        moderation.reject_appeal(accounts["moderator"], appeal, "  ")
    moderation.reject_appeal(accounts["moderator"], appeal, "Jokes can be spam too")
    assert fresh(appeal).status == "rejected" and moderation.strikes(user.id) == 1
    notice = Notification.select().where(Notification.recipient == user.id).order_by(
        Notification.id.desc()).first()
    assert (notice.kind, notice.text) == ("appeal_rejected", "Jokes can be spam too")


def test_only_a_moderator_who_may_act_on_the_person_decides(accounts, make_user):
    user = accounts["user"]
    moderation.suspend_user(accounts["admin"], user, "Illegal content")
    appeal = Appeal.file(user, last_entry("suspend").id, "Please")
    with pytest.raises(moderation.NotAllowed, match="only an admin"):
        moderation.approve_appeal(accounts["moderator"], appeal)
    assert fresh(appeal).status == "open" and fresh(user).is_suspended
    with pytest.raises(moderation.NotAllowed):
        moderation.reject_appeal(accounts["reporter"], appeal, "No")
    moderation.approve_appeal(accounts["admin"], fresh(appeal))
    assert fresh(appeal).status == "approved" and not fresh(user).is_suspended


# --- appeals: /appeals/ ---------------------------------------------------------------------
def test_appeal_a_hidden_message_once(client, auth, accounts, make_message):
    message = make_message(accounts["user"], "my words")
    moderation.hide_message(accounts["moderator"], message, "Spam")
    hide = last_entry("hide")
    auth.login("user")
    assert 'href="/appeals/"' in client.get("/notifications/").get_data(as_text=True)
    page = client.get("/appeals/").get_data(as_text=True)
    assert "The moderators hid your message" in page and "my words" in page
    assert f'name="action_id" value="{hide.id}"' in page
    response = client.post("/appeals/", data={"action_id": hide.id, "text": "It is not spam"})
    assert response.status_code == 302
    assert [(a.user_id, a.action_id, a.text, a.status) for a in Appeal.select()] == [
        (accounts["user"].id, hide.id, "It is not spam", "open")]
    again = client.post("/appeals/", data={"action_id": hide.id, "text": "Please"})
    assert again.status_code == 422 and "already appealed" in again.get_data(as_text=True)
    page = client.get("/appeals/").get_data(as_text=True)
    assert f'name="action_id" value="{hide.id}"' not in page
    assert "It is not spam" in page and "Waiting" in page
    assert Appeal.select().count() == 1


def test_refused_appeals(client, auth, accounts, make_message):
    moderation.warn_user(accounts["moderator"], accounts["reporter"], "Spam")
    not_mine = last_entry("warn")
    moderation.warn_user(accounts["moderator"], accounts["user"], "Spam")
    mine = last_entry("warn")
    assert client.get("/appeals/").status_code == 302          # anonymous: log in first
    auth.login("user")
    for data in ({"action_id": not_mine.id, "text": "x"}, {"action_id": mine.id, "text": "  "},
                 {"action_id": "abc", "text": "x"}, {"action_id": mine.id, "text": "x" * 1001},
                 {"action_id": 10**12, "text": "x"}, {"action_id": 10**30, "text": "x"},
                 {"action_id": -1, "text": "x"}):
        assert client.post("/appeals/", data=data).status_code == 422, data
    assert client.post("/appeals/", data={"action_id": mine.id, "text": "x"},
                       csrf=False).status_code == 400
    assert Appeal.select().count() == 0


def test_a_suspended_person_appeals_from_the_refused_login(client, auth, accounts):
    moderation.suspend_user(accounts["moderator"], accounts["user"], "Spam", days=7)
    assert client.get("/appeals/").status_code == 302
    refused = auth.login("user")
    assert refused.status_code == 403 and 'href="/appeals/"' in refused.get_data(as_text=True)
    page = client.get("/appeals/").get_data(as_text=True)
    assert "Your account is suspended" in page and "The moderators suspended your account" in page
    response = client.post("/appeals/", data={"action_id": last_entry("suspend").id,
                                              "text": "I was hacked"})
    assert response.status_code == 302 and Appeal.get().text == "I was hacked"
    assert client.get("/private/").status_code == 302   # still not logged in
    # a wrong password earns no pass
    other = client.application.test_client()
    assert other.post("/login/", data={"username": "user", "password": "nope"}).status_code == 401
    assert other.get("/appeals/").status_code == 302


# --- the back office ------------------------------------------------------------------------
def test_undo_from_the_audit_log_is_one_post(client, as_mod, accounts, make_message):
    message = make_message(accounts["user"], "my words")
    moderation.hide_message(accounts["moderator"], message, "Spam")
    hide = last_entry("hide")
    page = client.get("/admin/auditlog/").get_data(as_text=True)
    assert f'action="/admin/auditlog/undo/{hide.id}/"' in page and "data-confirm=" in page
    response = client.post(f"/admin/auditlog/undo/{hide.id}/", follow_redirects=True)
    assert response.status_code == 200 and f"Undone: audit entry #{hide.id}" in response.get_data(as_text=True)
    assert fresh(message).hidden_at is None
    page = client.get("/admin/auditlog/").get_data(as_text=True)
    assert f'action="/admin/auditlog/undo/{hide.id}/"' not in page and "undone (#" in page
    again = client.post(f"/admin/auditlog/undo/{hide.id}/", follow_redirects=True)
    assert again.status_code == 200 and "already undone" in again.get_data(as_text=True)
    assert AuditLog.select().where(AuditLog.undoes == hide.id).count() == 1
    assert client.post(f"/admin/auditlog/undo/{hide.id}/", csrf=False).status_code == 400
    assert client.get(f"/admin/auditlog/undo/{hide.id}/").status_code == 405
    assert client.post("/admin/auditlog/undo/999999/").status_code == 404
    assert client.post(f"/admin/auditlog/undo/{10**30}/").status_code == 404


def test_undo_in_the_back_office_is_refused_to_who_may_not(client, auth, accounts):
    moderation.suspend_user(accounts["admin"], accounts["user"], "Illegal content")
    suspend = last_entry("suspend")
    auth.login("mod")
    assert f"/admin/auditlog/undo/{suspend.id}/" not in client.get("/admin/auditlog/").get_data(
        as_text=True)   # no button for what they may not undo
    assert client.post(f"/admin/auditlog/undo/{suspend.id}/").status_code == 403
    auth.logout()
    auth.login("reporter")
    assert client.post(f"/admin/auditlog/undo/{suspend.id}/").status_code == 403
    assert fresh(accounts["user"]).is_suspended and not fresh(suspend).is_undone


def test_an_audit_row_is_each_viewers_own_with_their_form_token(client, auth, accounts):
    """Rows are kept between requests: the moderator's copy of an admin's suspension (no
    Undo) is not the admin's, and the admin's Undo form carries the admin's own token."""
    import re

    moderation.suspend_user(accounts["admin"], accounts["user"], "Illegal content")
    suspend = last_entry("suspend")
    button = f'action="/admin/auditlog/undo/{suspend.id}/"'
    auth.login("mod")
    assert button not in client.get("/admin/auditlog/").get_data(as_text=True)
    auth.logout()
    auth.login("root")
    page = client.get("/admin/auditlog/").get_data(as_text=True)
    form = page[page.index(button):]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(f"/admin/auditlog/undo/{suspend.id}/", csrf=False,
                           data={"csrf_token": token})
    assert response.status_code == 302 and not fresh(accounts["user"]).is_suspended


def test_the_appeal_queue_lists_searches_and_decides(client, as_mod, accounts, make_user,
                                                      make_message):
    user, other = accounts["user"], make_user("zed")
    moderation.warn_user(accounts["moderator"], user, "Spam")
    first = Appeal.file(user, last_entry("warn").id, "first appeal, about spam")
    moderation.hide_message(accounts["moderator"], make_message(other, "zed's words"), "Off-topic")
    second = Appeal.file(other, last_entry("hide").id, "second appeal")
    assert adm.listed(client, "appeal") == [first.id, second.id]          # oldest first
    assert adm.listed(client, "appeal", "?search=zed") == [second.id]
    assert adm.listed(client, "appeal", "?search=spam") == [first.id]
    page = adm.act(client, "appeal", "reject", [first.id])             # no reason: refused
    assert "needs a reason" in page and fresh(first).status == "open"
    adm.act(client, "appeal", "reject", [first.id], reason="Spam it was")
    adm.act(client, "appeal", "approve", [second.id])
    assert (fresh(first).status, fresh(second).status) == ("rejected", "approved")
    assert Message.get(Message.content == "zed's words").hidden_at is None
    assert adm.listed(client, "appeal", "?flt0_status_equals=open") == []
    assert adm.listed(client, "appeal") == [first.id, second.id]
    assert client.get(f"/admin/appeal/details/?id={first.id}").status_code == 200
    rows = adm.export(client, "appeal")
    assert [r["Status"] for r in rows] == ["rejected", "approved"]


def test_plain_users_cannot_reach_the_queue(client, auth, accounts):
    auth.login("user")
    assert client.get("/admin/appeal/").status_code == 403


def test_dashboard_moderation_figures_link_to_their_lists(client, as_mod, accounts, make_user):
    import re
    user, other = accounts["user"], make_user("other")
    moderation.warn_user(accounts["moderator"], user, "Spam")
    moderation.warn_user(accounts["moderator"], other, "Spam")
    moderation.undo(accounts["moderator"], last_entry("warn"))          # withdrawn: not counted
    Appeal.file(user, AuditLog.get(AuditLog.target_id == str(user.id)).id, "Not me")
    moderation.suspend_user(accounts["moderator"], other, "Spam", days=1)
    html = client.get("/admin/").get_data(as_text=True)
    figures = dict(re.findall(r'data-kpi="(\w+)" data-value="(\d+)"', html))
    assert (figures["appeals_waiting"], figures["strikes_week"]) == ("1", "1")
    # a 1-day suspension made now ends today or tomorrow, by the clock: either way a number
    assert figures["suspensions_ending_today"] in ("0", "1")
    links = dict(re.findall(r'data-kpi="(\w+)"[^>]*>.*?<a href="([^"]+)"', html, re.S))
    links = {key: url.replace("&amp;", "&") for key, url in links.items()}
    assert adm.listed(client, "appeal", links["appeals_waiting"].split("/admin/appeal/")[1]) == [
        Appeal.get().id]
    warned = adm.listed(client, "auditlog", links["strikes_week"].split("/admin/auditlog/")[1])
    assert sorted(warned) == sorted(e.id for e in AuditLog.select().where(AuditLog.action == "warn"))
    page = client.get(links["suspensions_ending_today"])
    assert page.status_code == 200 and "Invalid Filter Value" not in page.get_data(as_text=True)
