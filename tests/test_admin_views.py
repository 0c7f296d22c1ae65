"""The back office as a moderator uses it: lists, search, filters, bulk actions,
details pages and exports, and what happens with bad input."""
import csv
import datetime
import io
import re

import pytest

from adminapp import moderation
from adminapp.models import AuditLog, Message, Relationship, Report, User, utcnow

ROW_LINK = r'class="icon" href="/admin/{view}/details/\?id=(\d+)&amp;url='
DAY = datetime.timedelta(days=1)


def listed(client, view, query=""):
    """The ids of the rows /admin/<view>/ lists for `query`, in order."""
    response = client.get(f"/admin/{view}/{query}")
    assert response.status_code == 200, query
    return [int(i) for i in re.findall(ROW_LINK.format(view=view), response.get_data(as_text=True))]


def act(client, view, action, ids, **extra):
    """Run the bulk `action` on `ids` as the "With selected" menu does; return the page after."""
    response = client.post(f"/admin/{view}/action/", follow_redirects=True,
                           data={"action": action, "rowid": [str(i) for i in ids], **extra})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def export(client, view, query=""):
    """The CSV export of /admin/<view>/ for `query`, as a list of dicts."""
    response = client.get(f"/admin/{view}/export/csv/{query}")
    assert response.status_code == 200
    assert response.is_streamed
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def audit(action):
    """The audit entries of `action`, oldest first."""
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


@pytest.fixture
def staff(make_user):
    """root (admin) and mod (moderator)."""
    return make_user("root", role="admin"), make_user("mod", role="moderator")


@pytest.fixture
def as_mod(auth, staff):
    auth.login("mod")
    return staff[1]


@pytest.fixture
def as_admin(auth, staff):
    auth.login("root")
    return staff[0]


# --- users ------------------------------------------------------------------------------
def test_moderator_suspends_and_restores_users_with_a_reason(client, as_mod, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    page = act(client, "user", "suspend", [alice.id, bob.id], reason="spam wave")
    assert "Suspend user: 2 done." in page
    assert User.select().where(User.suspended_at.is_null(False)).count() == 2
    entries = audit("suspend")
    assert [(e.actor_id, e.target_model, e.target_id) for e in entries] == \
        [(as_mod.id, "user", str(alice.id)), (as_mod.id, "user", str(bob.id))]
    assert entries[0].details["reason"] == "spam wave"

    act(client, "user", "restore", [alice.id])
    assert User.get_by_id(alice.id).suspended_at is None
    assert User.get_by_id(bob.id).suspended_at is not None
    assert [e.target_id for e in audit("restore")] == [str(alice.id)]


def test_suspend_without_a_reason_uses_the_preset_one(client, as_mod, make_user):
    alice = make_user("alice")
    act(client, "user", "suspend", [alice.id])
    assert audit("suspend")[0].details["reason"] == "Suspended by a moderator from the back office"


def test_moderator_cannot_suspend_an_admin_or_a_moderator(client, as_mod, staff, make_user):
    other_mod = make_user("othermod", role="moderator")
    page = act(client, "user", "suspend", [staff[0].id, other_mod.id])
    assert "You cannot act on root" in page and "You cannot act on othermod" in page
    assert "done" not in page
    assert User.select().where(User.suspended_at.is_null(False)).count() == 0
    assert audit("suspend") == []


def test_moderator_cannot_act_on_themselves(client, as_mod):
    page = act(client, "user", "suspend", [as_mod.id])
    assert "You cannot moderate yourself." in page
    assert User.get_by_id(as_mod.id).suspended_at is None


def test_admin_changes_roles_with_the_actions(client, as_admin, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    act(client, "user", "set_moderator", [alice.id, bob.id])
    assert [u.role for u in User.select().where(User.id.in_([alice.id, bob.id]))] == \
        ["moderator", "moderator"]
    act(client, "user", "set_user", [bob.id])
    assert User.get_by_id(bob.id).role == "user"
    assert [(e.target_id, e.details["before"], e.details["after"]) for e in audit("set_role")] == \
        [(str(alice.id), "user", "moderator"), (str(bob.id), "user", "moderator"),
         (str(bob.id), "moderator", "user")]


def test_admin_edits_a_role_and_the_save_goes_through_set_role(client, as_admin, make_user):
    alice = make_user("alice")
    form = client.get(f"/admin/user/edit/?id={alice.id}").get_data(as_text=True)
    assert 'name="role"' in form and 'name="email"' not in form and "password" not in form
    response = client.post(f"/admin/user/edit/?id={alice.id}",
                           data={"role": "moderator", "reason": "helps a lot"})
    assert response.status_code == 302
    assert User.get_by_id(alice.id).role == "moderator"
    entry, = audit("set_role")
    assert (entry.actor_id, entry.details["reason"]) == (as_admin.id, "helps a lot")


def test_an_admin_cannot_make_another_admin_through_the_edit_form(client, as_admin, make_user):
    alice = make_user("alice")
    response = client.post(f"/admin/user/edit/?id={alice.id}", data={"role": "admin"})
    assert "You can only give roles below your own" in response.get_data(as_text=True)
    assert User.get_by_id(alice.id).role == "user"
    assert audit("set_role") == []


def test_user_search_and_filters(client, as_mod, make_user):
    alice = make_user("alice", email="alice@wonder.land")
    bob = make_user("bob", suspended=True)
    carol = make_user("carol", role="moderator")
    User.update(join_date=utcnow() - 10 * DAY).where(User.id == alice.id).execute()
    assert listed(client, "user", "?search=wonder") == [alice.id]
    assert listed(client, "user", "?search=BOB") == [bob.id]
    assert listed(client, "user", "?flt0_role_equals=moderator") == [carol.id, as_mod.id]
    assert listed(client, "user", "?flt0_suspended_is=1") == [bob.id]
    assert bob.id not in listed(client, "user", "?flt0_suspended_is=0")
    week_ago = (utcnow() - 7 * DAY).strftime("%Y-%m-%d %H:%M:%S")
    assert listed(client, "user", f"?flt0_joined_smaller_than={week_ago}") == [alice.id]


def test_users_sort_by_message_count_and_username(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    for _ in range(3):
        make_message(bob)
    make_message(alice)
    by_count = listed(client, "user", "?sort=5&desc=1")
    assert by_count[:2] == [bob.id, alice.id]
    assert listed(client, "user", "?sort=0") == \
        [u.id for u in User.select().order_by(User.username)]


def test_user_details_show_messages_counts_and_history(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    bob.follow(alice)
    make_message(alice, "first words of alice")
    moderation.suspend_user(as_mod, alice, "rude")
    page = client.get(f"/admin/user/details/?id={alice.id}").get_data(as_text=True)
    assert "first words of alice" in page
    assert re.search(r"<b>1</b>\s*<a[^>]*>followers</a>", page)
    assert re.search(r"<b>0</b>\s*<a[^>]*>following</a>", page)
    history = page[page.index("History of this account"):]
    assert "suspend" in history and "rude" in history and "mod" in history
    # the buttons offer what applies: she is suspended, so Restore, not Suspend
    assert 'value="restore"' in page and 'value="suspend"' not in page


def test_the_password_hash_is_never_shown(client, as_admin, make_user):
    alice = make_user("alice")
    secret = User.get_by_id(alice.id).password_hash
    pages = [client.get("/admin/user/"), client.get(f"/admin/user/details/?id={alice.id}"),
             client.get(f"/admin/user/edit/?id={alice.id}"), client.get("/admin/user/export/csv/"),
             client.get("/admin/user/?search=scrypt")]
    for page in pages:
        text = page.get_data(as_text=True)
        assert secret not in text and "scrypt:" not in text and "Password" not in text
    assert listed(client, "user", "?search=scrypt") == []


# --- messages ----------------------------------------------------------------------------
def test_moderator_hides_and_unhides_messages(client, as_mod, make_user, make_message):
    bob = make_user("bob")
    one, two = make_message(bob, "one"), make_message(bob, "two")
    act(client, "message", "hide", [one.id, two.id], reason="link farm")
    assert all(m.hidden_at is not None and m.hidden_by_id == as_mod.id
               and m.hidden_reason == "link farm" for m in Message.select())
    assert [(e.actor_id, e.target_model, e.target_id, e.details["reason"]) for e in audit("hide")] \
        == [(as_mod.id, "message", str(one.id), "link farm"),
            (as_mod.id, "message", str(two.id), "link farm")]
    assert client.get(f"/messages/{one.id}/").status_code == 200   # moderators still see it

    act(client, "message", "unhide", [one.id])
    assert Message.get_by_id(one.id).hidden_at is None
    assert Message.get_by_id(two.id).hidden_at is not None
    assert [e.target_id for e in audit("unhide")] == [str(one.id)]


def test_hide_uses_the_preset_reason(client, as_mod, make_user, make_message):
    message = make_message(make_user("bob"))
    act(client, "message", "hide", [message.id])
    assert Message.get_by_id(message.id).hidden_reason == \
        "Hidden by a moderator from the back office"


def test_moderator_cannot_hide_an_admins_message(client, as_mod, staff, make_message):
    message = make_message(staff[0], "admin speaking")
    page = act(client, "message", "hide", [message.id])
    assert "You cannot act on root" in page
    assert Message.get_by_id(message.id).hidden_at is None


def test_admin_deletes_messages_and_their_reports(client, as_admin, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    message = make_message(bob, "delete me")
    Report.file(alice, message, "illegal")
    act(client, "message", "delete_message", [message.id], reason="illegal content")
    assert Message.get_or_none(Message.id == message.id) is None
    assert Report.select().count() == 0
    entry, = audit("delete")
    assert (entry.target_model, entry.details["reason"], entry.details["removed"]) == \
        ("message", "illegal content", {"messages": 1, "reports": 1})


def test_message_search_and_filters(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    now = utcnow()
    old = make_message(alice, "an old post about cats", pub_date=now - 30 * DAY)
    hidden = make_message(bob, "hidden dog post", pub_date=now - 2 * DAY, hidden=True)
    reported = make_message(bob, "a reported cat post", pub_date=now - DAY)
    Report.file(alice, reported, "spam")
    assert listed(client, "message", "?search=cat") == [reported.id, old.id]
    assert listed(client, "message", "?search=alice") == [old.id]      # the author's name
    assert listed(client, "message", "?search=cat+bob") == [reported.id]
    assert listed(client, "message", "?flt0_author_equals=BOB") == [reported.id, hidden.id]
    assert listed(client, "message", "?flt0_author_contains=lic") == [old.id]
    assert listed(client, "message", "?flt0_hidden_is=1") == [hidden.id]
    assert listed(client, "message", "?flt0_hidden_is=0") == [reported.id, old.id]
    assert listed(client, "message", "?flt0_reported_is=1") == [reported.id]
    assert listed(client, "message", "?flt0_reported_is=0") == [hidden.id, old.id]
    assert listed(client, "message", "?flt0_open_reports_is=1") == [reported.id]
    start = (now - 3 * DAY).strftime("%Y-%m-%d %H:%M:%S")
    end = (now - DAY / 2).strftime("%Y-%m-%d %H:%M:%S")
    assert listed(client, "message", f"?flt0_posted_between={start}+to+{end}") == \
        [reported.id, hidden.id]
    assert listed(client, "message", f"?flt0_posted_between={start}+to+{end}&flt1_hidden_is=0") \
        == [reported.id]


def test_message_list_links_to_the_permalink_and_the_author(client, as_mod, make_user,
                                                            make_message):
    bob = make_user("bob")
    message = make_message(bob, "look at me")
    page = client.get("/admin/message/").get_data(as_text=True)
    assert f'href="/messages/{message.id}/"' in page
    assert f'href="/admin/user/details/?id={bob.id}"' in page
    assert 'href="/users/bob/"' in page


def test_message_details_show_its_reports_and_history(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    message = make_message(bob, "reported words")
    Report.file(alice, message, "abuse", "this is rude")
    moderation.hide_message(as_mod, message, "rude")
    page = client.get(f"/admin/message/details/?id={message.id}").get_data(as_text=True)
    reports = page[page.index("Reports on this message"):]
    assert "abuse" in reports and "alice" in reports and "this is rude" in reports
    assert 'value="unhide"' in page and 'value="hide"' not in page


# --- relationships ---------------------------------------------------------------------
@pytest.fixture
def follows(make_user):
    """alice follows bob and carol; bob follows carol. Returns {(from, to): id}."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    alice.follow(bob)
    alice.follow(carol)
    bob.follow(carol)
    names = {u.id: u.username for u in (alice, bob, carol)}
    return {(names[r.from_user_id], names[r.to_user_id]): r.id for r in Relationship.select()}


def test_relationship_filters_and_search_on_each_side(client, as_mod, follows):
    def pairs(query):
        ids = listed(client, "relationship", query)
        return sorted(pair for pair, pk in follows.items() if pk in ids)

    assert pairs("?flt0_follower_equals=alice") == [("alice", "bob"), ("alice", "carol")]
    assert pairs("?flt0_follows_equals=carol") == [("alice", "carol"), ("bob", "carol")]
    assert pairs("?flt0_follower_contains=bo") == [("bob", "carol")]
    assert pairs("?flt0_follows_contains=bo") == [("alice", "bob")]
    assert pairs("?flt0_follower_equals=alice&flt1_follows_equals=carol") == [("alice", "carol")]
    assert pairs("?search=bob") == [("alice", "bob"), ("bob", "carol")]   # either side


def test_relationships_sort_on_both_sides(client, as_mod, follows):
    by_follower = listed(client, "relationship", "?sort=0")
    assert by_follower[-1] == follows[("bob", "carol")]
    by_followed = listed(client, "relationship", "?sort=1&desc=1")
    assert by_followed[0] in (follows[("alice", "carol")], follows[("bob", "carol")])
    assert by_followed[-1] == follows[("alice", "bob")]


def test_relationship_list_shows_both_names(client, as_mod, follows):
    page = client.get("/admin/relationship/").get_data(as_text=True)
    assert page.count('href="/users/alice/"') == 2 and page.count('href="/users/carol/"') == 2


def test_moderator_removes_a_follow(client, as_mod, follows):
    act(client, "relationship", "remove", [follows[("alice", "bob")]], reason="bot ring")
    assert not Relationship.select().where(Relationship.id == follows[("alice", "bob")]).exists()
    assert Relationship.select().count() == 2
    entry, = audit("remove_follow")
    assert (entry.actor_id, entry.details["before"], entry.details["reason"]) == \
        (as_mod.id, "alice follows bob", "bot ring")


# --- reports -------------------------------------------------------------------------------
@pytest.fixture
def reports(make_user, make_message):
    """Three reports on bob's messages: an old open one, a new open one, an old resolved one."""
    alice, bob = make_user("alice"), make_user("bob")
    spam, rude, fine = (make_message(bob, t) for t in ("buy now", "you fool", "hello"))
    now = utcnow()
    new = Report.create(reporter=alice, message=spam, category="spam", created=now - DAY)
    old = Report.create(reporter=alice, message=rude, category="abuse", created=now - 5 * DAY)
    done = Report.create(reporter=alice, message=fine, category="other", created=now - 9 * DAY,
                         resolved_at=now - 8 * DAY, resolution="dismiss")
    return {"new": new, "old": old, "done": done}


def test_report_queue_is_open_first_then_oldest_first(client, as_mod, reports):
    assert listed(client, "report") == [reports["old"].id, reports["new"].id, reports["done"].id]


def test_report_filters(client, as_mod, reports):
    assert listed(client, "report", "?flt0_category_equals=spam") == [reports["new"].id]
    assert listed(client, "report", "?flt0_resolved_is=0") == [reports["old"].id, reports["new"].id]
    assert listed(client, "report", "?flt0_resolved_is=1") == [reports["done"].id]
    assert listed(client, "report", "?flt0_reporter_equals=alice&flt1_author_equals=bob") == \
        [reports["old"].id, reports["new"].id, reports["done"].id]
    message_id = reports["new"].message_id
    assert listed(client, "report", f"?flt0_message_id_equals={message_id}") == [reports["new"].id]


def test_a_report_row_puts_message_author_and_reporter_one_click_away(client, as_mod, reports):
    report = reports["new"]
    page = client.get("/admin/report/?flt0_category_equals=spam").get_data(as_text=True)
    assert "buy now" in page
    assert f'href="/messages/{report.message_id}/"' in page
    assert f'href="/admin/message/details/?id={report.message_id}"' in page
    assert f'href="/admin/user/details/?id={report.reporter_id}"' in page
    assert 'href="/users/bob/"' in page


def test_hide_message_resolves_the_report_and_hides_the_message(client, as_mod, reports):
    report = reports["new"]
    act(client, "report", "hide_message", [report.id])
    report = Report.get_by_id(report.id)
    assert (report.resolution, report.resolved_by_id) == ("hide", as_mod.id)
    assert Message.get_by_id(report.message_id).hidden_reason == "reported: spam"
    assert [e.target_id for e in audit("resolve_report")] == [str(report.id)]
    assert [e.target_id for e in audit("hide")] == [str(report.message_id)]


def test_dismiss_leaves_the_message_alone(client, as_mod, reports):
    report = reports["old"]
    act(client, "report", "dismiss", [report.id], reason="satire")
    report = Report.get_by_id(report.id)
    assert report.resolution == "dismiss"
    assert Message.get_by_id(report.message_id).hidden_at is None
    assert audit("resolve_report")[0].details["reason"] == "satire"


def test_a_resolved_report_cannot_be_resolved_again(client, as_mod, reports):
    page = act(client, "report", "dismiss", [reports["done"].id])
    assert "already resolved" in page
    assert audit("resolve_report") == []


# --- audit log ---------------------------------------------------------------------------------
@pytest.fixture
def history(staff, make_user, make_message):
    root, mod = staff
    alice = make_user("alice")
    message = make_message(alice, "meh")
    moderation.hide_message(mod, message, "meh")
    moderation.suspend_user(mod, alice, "spam")
    moderation.set_role(root, alice, "moderator", reason="trusted")
    return {"alice": alice, "message": message}


def test_audit_log_is_newest_first_and_filters(client, as_mod, history):
    entries = [e.id for e in AuditLog.select().order_by(AuditLog.id.desc())]
    assert listed(client, "auditlog") == entries
    assert len(listed(client, "auditlog", "?flt0_who_equals=mod")) == 2
    assert len(listed(client, "auditlog", "?flt0_who_contains=roo")) == 1
    assert listed(client, "auditlog", "?flt0_action_equals=suspend") == [audit("suspend")[0].id]
    assert len(listed(client, "auditlog", "?flt0_target_type_equals=user")) == 2
    tomorrow = (utcnow() + DAY).strftime("%Y-%m-%d %H:%M:%S")
    assert listed(client, "auditlog", f"?flt0_when_greater_than={tomorrow}") == []


def test_audit_rows_link_to_their_targets(client, as_mod, history):
    page = client.get("/admin/auditlog/").get_data(as_text=True)
    message_id, alice_id = history["message"].id, history["alice"].id
    assert f'href="/admin/message/details/?id={message_id}"' in page
    assert f'href="/messages/{message_id}/"' in page
    assert f'href="/admin/user/details/?id={alice_id}"' in page


def test_audit_details_are_readable(client, as_mod, history):
    entry = audit("set_role")[0]
    page = client.get(f"/admin/auditlog/details/?id={entry.id}").get_data(as_text=True)
    assert "user</span> → <b>moderator</b>" in page and "“trusted”" in page
    assert '&#34;after&#34;: &#34;moderator&#34;' in page   # the JSON, indented, below


# --- exports ------------------------------------------------------------------------------------
def test_exports_follow_the_search_and_filters(client, as_mod, make_user, make_message, follows):
    bob = User.get(User.username == "bob")
    make_message(bob, "export me")
    make_message(bob, "not me", hidden=True)
    rows = export(client, "user", "?search=ali")
    assert [r["Username"] for r in rows] == ["alice"]
    assert list(rows[0]) == ["ID", "Username", "Email", "Role", "Status", "Suspended since",
                             "Joined", "Messages"]
    rows = export(client, "message", "?flt0_hidden_is=0&flt1_author_equals=bob")
    assert [(r["Content"], r["Author"], r["Status"]) for r in rows] == \
        [("export me", "bob", "visible")]
    rows = export(client, "relationship", "?flt0_follows_equals=carol")
    assert sorted((r["Follower"], r["Follows"]) for r in rows) == \
        [("alice", "carol"), ("bob", "carol")]
    moderation.suspend_user(as_mod, bob, "x")
    rows = export(client, "auditlog", "?flt0_action_equals=suspend")
    assert [(r["Who"], r["Action"], r["Target type"]) for r in rows] == [("mod", "suspend", "user")]


def test_exports_never_contain_password_hashes(client, as_admin, make_user):
    make_user("alice")
    hashes = [u.password_hash for u in User.select()]
    for view in ("user", "message", "relationship", "report", "auditlog"):
        text = client.get(f"/admin/{view}/export/csv/").get_data(as_text=True)
        assert not any(h in text for h in hashes) and "scrypt" not in text, view


# --- bad input --------------------------------------------------------------------------------
BAD_QUERIES = ["?sort=99", "?sort=-1", "?sort=abc", "?sort=2&desc=abc", "?page=abc", "?page=-1",
               "?page=99999999999999999999999", "?page_size=99999", "?page_size=-5",
               "?search=%25%27%22%5C", "?flt0_nonsense=1", "?flt_=1", "?flt99999999999_x=1"]
VIEWS = ("user", "message", "relationship", "report", "auditlog")


@pytest.mark.parametrize("view", VIEWS)
def test_bad_list_arguments_never_give_a_500(client, as_admin, view, make_user, make_message):
    make_message(make_user("alice"))
    for query in BAD_QUERIES:
        assert client.get(f"/admin/{view}/{query}").status_code == 200, query
        assert client.get(f"/admin/{view}/export/csv/{query}").status_code == 200, query
    for sort in range(8):   # every listed column: sortable, or ignored without error
        assert client.get(f"/admin/{view}/?sort={sort}&desc=1").status_code == 200, sort


@pytest.mark.parametrize("view", VIEWS)
def test_garbage_filter_values_are_refused_politely(app, client, as_admin, view):
    admin_view = next(v for v in app.extensions["admin"][0]._views
                      if getattr(v, "endpoint", None) == view)
    for key in admin_view._filter_args:
        for value in ("garbage", "", "99999999999999999999999", "2024-13-45 99:99:99", "1 to 2"):
            response = client.get(f"/admin/{view}/", query_string={f"flt0_{key}": value})
            assert response.status_code == 200, (key, value)


@pytest.mark.parametrize("view", VIEWS)
def test_garbage_ids_never_give_a_500(client, as_admin, view):
    for pk in ("abc", "999999", "99999999999999999999999", "-1", "", "1.5"):
        response = client.get(f"/admin/{view}/details/", query_string={"id": pk})
        assert response.status_code == 302, pk       # back to the list, "Record does not exist"
        response = client.post(f"/admin/{view}/action/", data={"action": "x", "rowid": pk})
        assert response.status_code == 302, pk
    for action in ("suspend", "hide", "remove", "dismiss", "delete", "delete_message"):
        response = client.post(f"/admin/{view}/action/",
                               data={"action": action, "rowid": ["abc", "99999999999999999999"]})
        assert response.status_code == 302, action


def test_a_missing_record_says_so(client, as_mod):
    page = client.get("/admin/message/details/?id=424242", follow_redirects=True)
    assert "Record does not exist." in page.get_data(as_text=True)
