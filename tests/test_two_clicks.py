"""From seeing a problem to fixing it in two clicks (issue 10): the Hide menu on message
rows, the Suspend and Warn menus on a profile, and the buttons on each row of the reports
queue. What each button does, who sees it, and what a forged or broken request gets."""
import datetime
import re

import pytest

from adminapp import moderation
from adminapp.models import AuditLog, Message, Report, User, utcnow
from adminapp.vocabulary import REASON_PRESETS, Category

WEEK = datetime.timedelta(days=7)


@pytest.fixture
def reported(staff, make_user, make_message):
    """bob's message, reported as spam by carol; returns the report."""
    bob, carol = make_user("bob"), make_user("carol")
    return Report.file(carol, make_message(bob, "buy cheap stuff"), Category.SPAM.value)


def fresh(model):
    return type(model).get_by_id(model.id)


def act(client, report, do, reason="", **extra):
    """Press the row button `do` of `report` on /admin/report/ (its form's fields)."""
    return client.post("/admin/report/act/", data={"id": report.id, "do": do, "reason": reason,
                                                   "url": "/admin/report/", **extra})


def queue_row(client, report):
    """The HTML of `report`'s row on the reports queue."""
    page = client.get("/admin/report/").get_data(as_text=True)
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S)
            if f'name="rowid" class="action-checkbox" value="{report.id}"' in row]
    assert len(rows) == 1
    return rows[0]


# --- the Hide menu on message rows ------------------------------------------------------------
def test_a_moderator_hides_a_message_with_a_preset_from_the_menu(client, as_mod, make_user,
                                                                 make_message, audit_rows):
    message = make_message(make_user("bob"), "off topic stuff")
    page = client.get("/public/").get_data(as_text=True)
    menu = page[page.index('<details class="mod-menu">'):page.index("</details>")]
    assert f'action="/messages/{message.id}/hide/?next=/public/' in menu
    for preset in REASON_PRESETS:
        assert f'<button type="submit" name="reason" value="{preset}" class="chip">' in menu
    response = client.post(f"/messages/{message.id}/hide/?next=/public/",
                           data={"reason": "Off-topic"})
    assert response.status_code == 302 and response.location.endswith("/public/")
    assert fresh(message).hidden_reason == "Off-topic"
    assert audit_rows("hide")[-1].details["reason"] == "Off-topic"


def test_the_hide_menu_is_only_where_the_viewer_may_hide(client, auth, staff, make_user,
                                                         make_message):
    bob = make_user("bob")
    theirs, admins = make_message(bob, "a"), make_message(staff.admin, "b")
    hidden = make_message(bob, "c", hidden=True)
    mine = make_message(staff.moderator, "d")
    assert "mod-menu" not in client.get("/public/").get_data(as_text=True)
    auth.login("bob")
    assert "mod-menu" not in client.get("/public/").get_data(as_text=True)
    auth.logout()
    auth.login("mod")
    page = client.get("/public/").get_data(as_text=True)
    assert page.count('<details class="mod-menu">') == 1
    assert f"/messages/{theirs.id}/hide/" in page
    for other in (admins, mine, hidden):
        assert f"/messages/{other.id}/hide/" not in page
    # a hidden message (shown to moderators on its own page) is unhidden in one click
    page = client.get(f"/messages/{hidden.id}/").get_data(as_text=True)
    assert f'action="/messages/{hidden.id}/unhide/' in page and "mod-menu" not in page


def test_the_hide_menu_costs_no_query(client, auth, staff, make_user, make_message,
                                      count_queries):
    """The moderator's /public/ costs what a member's does, with 5 rows or 40."""
    authors = [make_user(f"writer{i}") for i in range(4)]
    counts = {}
    for who in ("writer0", "mod"):
        auth.login(who)
        for total in (5, 40):
            while Message.select().count() < total:
                make_message(authors[Message.select().count() % 4], "words")
            with count_queries() as q:
                page = client.get("/public/").get_data(as_text=True)
            counts[who, total] = q.n
        auth.logout()
    assert page.count('<details class="mod-menu">') == 20
    assert len(set(counts.values())) == 1, counts


# --- the Suspend and Warn menus on a profile ----------------------------------------------------
def test_the_profile_suspends_with_a_reason_and_a_length_in_one_menu(client, as_mod, make_user,
                                                                      audit_rows):
    bob = make_user("bob")
    page = client.get("/users/bob/").get_data(as_text=True)
    menu = page[page.index('<details class="mod-menu suspend-menu">'):]
    menu = menu[:menu.index("</details>")]
    for preset in REASON_PRESETS:
        assert f'<input type="hidden" name="reason" value="{preset}">' in menu
    for days in ("1", "7", "30", ""):
        assert menu.count(f'name="days" value="{days}"') == len(REASON_PRESETS) + 1
    before = utcnow()
    response = client.post("/users/bob/suspend/", data={"reason": "Impersonation", "days": "7"})
    assert response.status_code == 302
    until = fresh(bob).suspended_until
    assert before + WEEK <= until <= utcnow() + WEEK
    assert audit_rows("suspend")[-1].details["reason"] == "Impersonation"
    # restored, then suspended "until restored" from the same menu
    moderation.restore_user(as_mod, fresh(bob))
    client.post("/users/bob/suspend/", data={"reason": "Spam", "days": ""})
    assert fresh(bob).suspended_at is not None and fresh(bob).suspended_until is None


def test_the_profile_warns_from_a_menu_of_presets(client, as_mod, make_user, audit_rows):
    make_user("bob")
    page = client.get("/users/bob/").get_data(as_text=True)
    assert '<details class="mod-menu warn-menu">' in page
    assert client.post("/users/bob/warn/", data={"reason": "Abuse or harassment"}).status_code == 302
    assert audit_rows("warn")[-1].details["reason"] == "Abuse or harassment"


def test_no_menus_on_a_profile_out_of_reach(client, as_mod, staff):
    page = client.get("/users/root/").get_data(as_text=True)
    assert "suspend-menu" not in page and "warn-menu" not in page


# --- the reports queue's row buttons ----------------------------------------------------------
@pytest.mark.parametrize("category, preset", [("spam", "Spam"), ("abuse", "Abuse or harassment"),
                                              ("illegal", "Illegal content"), ("other", "Off-topic")])
def test_the_report_category_preselects_the_reason(client, as_mod, make_user, make_message,
                                                    category, preset):
    report = Report.file(make_user("carol"), make_message(make_user("bob")), category)
    row = queue_row(client, report)
    selected = re.findall(r"<option([^>]*) selected>([^<]*)</option>", row)
    assert selected == [("", preset)]
    for button in ("hide", "dismiss", "warn", "suspend"):
        assert f'name="do" value="{button}"' in row
    assert 'data-confirm="Suspend bob for 7 days?"' in row


def test_hide_and_resolve(client, as_mod, reported, audit_rows):
    response = act(client, reported, "hide", "Spam")
    assert response.status_code == 302 and response.location.endswith("/admin/report/")
    report, message = fresh(reported), fresh(reported.message)
    assert report.resolved_at is not None and report.resolution == "hide"
    assert report.resolved_by_id == as_mod.id
    assert message.hidden_at is not None and message.hidden_reason == "Spam"
    assert audit_rows("hide")[-1].details["reason"] == "Spam"
    assert audit_rows("resolve_report")[-1].details["after"] == "hide"
    assert "is hidden (Spam) and the report resolved" in client.get("/admin/report/").get_data(
        as_text=True)
    assert 'name="do"' not in queue_row(client, reported)   # resolved: no buttons


def test_dismiss_leaves_the_message(client, as_mod, reported, audit_rows):
    assert act(client, reported, "dismiss").status_code == 302
    report = fresh(reported)
    assert report.resolution == "dismiss" and fresh(reported.message).hidden_at is None
    assert [entry.details["after"] for entry in audit_rows("resolve_report")] == ["dismiss"]


def test_warn_author(client, as_mod, reported, audit_rows):
    assert act(client, reported, "warn", "Spam").status_code == 302
    bob = User.get(User.username == "bob")
    assert moderation.strikes(bob.id) == 1
    assert audit_rows("warn")[-1].details["reason"] == "Spam"
    assert fresh(reported).resolved_at is None   # the message is still to be decided


def test_suspend_author_for_7_days(client, as_mod, reported, audit_rows):
    before = utcnow()
    assert act(client, reported, "suspend", "Spam").status_code == 302
    bob = User.get(User.username == "bob")
    assert bob.suspended_at is not None
    assert before + WEEK <= bob.suspended_until <= utcnow() + WEEK
    assert audit_rows("suspend")[-1].details["reason"] == "Spam"
    row = queue_row(client, reported)
    assert 'value="suspend"' not in row and 'value="hide"' in row   # no second suspension


@pytest.mark.parametrize("owner", ["root", "mod"])
def test_a_moderator_gets_no_buttons_on_reports_out_of_reach(client, as_mod, staff, make_user,
                                                             make_message, owner, audit_rows):
    author = staff.admin if owner == "root" else staff.moderator
    report = Report.file(make_user("carol"), make_message(author, "mine"), "spam")
    assert 'name="do"' not in queue_row(client, report)
    for do in ("hide", "dismiss", "warn", "suspend"):
        response = act(client, report, do, "Spam")
        assert response.status_code == 302   # refused with a flash, never a 500
    page = client.get("/admin/report/").get_data(as_text=True)
    assert "You cannot" in page
    assert fresh(report).resolved_at is None and fresh(report.message).hidden_at is None
    assert fresh(author).suspended_at is None and audit_rows() == []


def test_an_admin_acts_on_a_moderators_message(client, as_admin, staff, make_user, make_message):
    report = Report.file(make_user("carol"), make_message(staff.moderator, "oops"), "abuse")
    assert 'name="do" value="hide"' in queue_row(client, report)
    act(client, report, "hide", "Abuse or harassment")
    assert fresh(report.message).hidden_reason == "Abuse or harassment"


def test_a_queue_row_is_each_viewers_own_with_their_form_token(client, auth, staff, make_user,
                                                             make_message):
    """Rows are kept between requests: the moderator's copy (no buttons: the author is
    staff) is not shown to the admin, and each one's form carries their own token."""
    report = Report.file(make_user("carol"), make_message(staff.moderator, "oops"), "abuse")
    auth.login("mod")
    assert 'name="do" value="hide"' not in queue_row(client, report)
    auth.logout()
    auth.login("root")
    row = queue_row(client, report)
    assert 'name="do" value="hide"' in row
    token = re.search(r'name="csrf_token" value="([^"]+)"', row).group(1)
    data = {"id": report.id, "do": "hide", "reason": "Spam", "csrf_token": token}
    assert client.post("/admin/report/act/", data=data, csrf=False).status_code == 302
    assert fresh(report.message).hidden_reason == "Spam"


def test_a_resolved_report_is_refused_with_a_flash(client, as_mod, reported):
    act(client, reported, "dismiss")
    response = act(client, reported, "hide", "Spam")
    assert response.status_code == 302
    assert "already resolved" in client.get("/admin/report/").get_data(as_text=True)
    assert fresh(reported.message).hidden_at is None


@pytest.mark.parametrize("fields, status", [
    ({"do": "delete", "reason": "Spam"}, 400),          # no such button
    ({"do": "", "reason": "Spam"}, 400),
    ({"do": "hide", "reason": ""}, 400),                # a hide needs a reason
    ({"do": "warn", "reason": "   "}, 400),
    ({"do": "suspend", "reason": "x" * 201}, 400),      # at most 200 characters
    ({"do": "hide", "reason": "Spam", "id": "abc"}, 400),
    ({"do": "hide", "reason": "Spam", "id": "999999"}, 404),
])
def test_a_broken_request_is_a_4xx(client, as_mod, reported, fields, status):
    data = {"id": reported.id, "url": "/admin/report/", **fields}
    assert client.post("/admin/report/act/", data=data).status_code == status
    assert fresh(reported).resolved_at is None and fresh(reported.message).hidden_at is None
    assert User.get(User.username == "bob").suspended_at is None


def test_a_reason_of_200_characters_is_taken(client, as_mod, reported):
    assert act(client, reported, "hide", "y" * 200).status_code == 302
    assert fresh(reported.message).hidden_reason == "y" * 200


def test_the_row_buttons_need_a_csrf_token(client, as_mod, reported):
    response = client.post("/admin/report/act/", csrf=False,
                           data={"id": reported.id, "do": "hide", "reason": "Spam"})
    assert response.status_code == 400
    assert fresh(reported).resolved_at is None


def test_the_row_buttons_are_for_staff_only(client, auth, reported):
    data = {"id": reported.id, "do": "hide", "reason": "Spam"}
    response = client.post("/admin/report/act/", data=data)
    assert response.status_code == 302 and "/login/" in response.location
    auth.login("carol")
    assert client.post("/admin/report/act/", data=data).status_code == 403
    assert client.get("/admin/report/act/").status_code in (403, 405)
    assert fresh(reported).resolved_at is None


def test_the_return_address_stays_on_the_site(client, as_mod, reported):
    response = act(client, reported, "dismiss", url="https://evil.example/")
    assert response.status_code == 302 and "evil.example" not in response.location


def test_the_queue_with_buttons_costs_the_same_queries_at_any_length(client, as_mod, staff,
                                                                     make_user, make_message,
                                                                     count_queries):
    reporter, bob = make_user("carol"), make_user("bob")
    counts = []
    for total in (3, 30):
        while Report.select().count() < total:
            n = Report.select().count()
            author = staff.admin if n % 3 == 0 else bob   # some rows have no buttons
            Report.file(reporter, make_message(author, f"post {n}"), ("spam", "other")[n % 2])
        with count_queries() as q:
            page = client.get("/admin/report/").get_data(as_text=True)
        counts.append(q.n)
    assert page.count('name="do" value="hide"') == 20 - 7   # admin's rows: none
    assert counts[0] == counts[1] <= 3, counts


def test_the_bulk_actions_reason_boxes_offer_the_presets(client, as_mod, reported):
    for url in ("/admin/report/", f"/admin/report/details/?id={reported.id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'list="reason-presets"' in page
        assert all(f'<option value="{preset}">' in page for preset in REASON_PRESETS)


def test_a_bulk_hide_without_a_reason_gives_the_categorys_preset(client, as_mod, make_user,
                                                                 make_message):
    report = Report.file(make_user("carol"), make_message(make_user("bob")), "illegal")
    client.post("/admin/report/action/", data={"action": "hide_message", "rowid": [report.id]})
    assert fresh(report.message).hidden_reason == "Illegal content"
