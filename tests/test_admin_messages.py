"""The back office's messages view (/admin/message/): hiding, unhiding and deleting,
search and filters, links, and the details page."""
from adminapp import moderation
from adminapp.models import Message, Report, utcnow
from tests import admin_support as adm


def test_moderator_hides_and_unhides_messages(client, as_mod, make_user, make_message, audit_rows):
    bob = make_user("bob")
    one, two = make_message(bob, "one"), make_message(bob, "two")
    adm.act(client, "message", "hide", [one.id, two.id], reason="link farm")
    assert all(m.hidden_at is not None and m.hidden_by_id == as_mod.id
               and m.hidden_reason == "link farm" for m in Message.select())
    assert [(e.actor_id, e.target_model, e.target_id, e.details["reason"])
            for e in audit_rows("hide")] == \
        [(as_mod.id, "message", str(one.id), "link farm"),
         (as_mod.id, "message", str(two.id), "link farm")]
    assert client.get(f"/messages/{one.id}/").status_code == 200   # moderators still see it

    adm.act(client, "message", "unhide", [one.id])
    assert Message.get_by_id(one.id).hidden_at is None
    assert Message.get_by_id(two.id).hidden_at is not None
    assert [e.target_id for e in audit_rows("unhide")] == [str(one.id)]


def test_hide_uses_the_preset_reason(client, as_mod, make_user, make_message):
    message = make_message(make_user("bob"))
    adm.act(client, "message", "hide", [message.id])
    assert Message.get_by_id(message.id).hidden_reason == \
        "Hidden by a moderator from the back office"


def test_moderator_cannot_hide_an_admins_message(client, as_mod, staff, make_message):
    message = make_message(staff.admin, "admin speaking")
    page = adm.act(client, "message", "hide", [message.id])
    assert "You cannot act on root" in page
    assert Message.get_by_id(message.id).hidden_at is None


def test_admin_deletes_messages_and_their_reports(client, as_admin, make_user, make_message,
                                                  audit_rows):
    alice, bob = make_user("alice"), make_user("bob")
    message = make_message(bob, "delete me")
    Report.file(alice, message, "illegal")
    adm.act(client, "message", "delete_message", [message.id], reason="illegal content")
    assert Message.get_or_none(Message.id == message.id) is None
    assert Report.select().count() == 0
    entry, = audit_rows("delete")
    assert (entry.target_model, entry.details["reason"], entry.details["removed"]) == \
        ("message", "illegal content", {"messages": 1, "reports": 1})


def test_message_search_and_filters(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    now = utcnow()
    old = make_message(alice, "an old post about cats", pub_date=now - 30 * adm.DAY)
    hidden = make_message(bob, "hidden dog post", pub_date=now - 2 * adm.DAY, hidden=True)
    reported = make_message(bob, "a reported cat post", pub_date=now - adm.DAY)
    Report.file(alice, reported, "spam")
    # whole words through the full-text index (not substrings: "cat" is not "cats")
    assert adm.listed(client, "message", "?search=cat") == [reported.id]
    assert adm.listed(client, "message", "?search=CATS+post") == [old.id]
    assert adm.listed(client, "message", "?search=post") == [reported.id, hidden.id, old.id]
    assert adm.listed(client, "message", "?search=@alice") == [old.id]     # the author's name
    assert adm.listed(client, "message", "?search=@ALICE+old") == [old.id]
    assert adm.listed(client, "message", "?search=cat+@bob") == [reported.id]
    assert adm.listed(client, "message", '?search="*-') == []
    assert adm.listed(client, "message", "?flt0_author_equals=BOB") == [reported.id, hidden.id]
    assert adm.listed(client, "message", "?flt0_author_contains=lic") == [old.id]
    assert adm.listed(client, "message", "?flt0_hidden_is=1") == [hidden.id]
    assert adm.listed(client, "message", "?flt0_hidden_is=0") == [reported.id, old.id]
    assert adm.listed(client, "message", "?flt0_reported_is=1") == [reported.id]
    assert adm.listed(client, "message", "?flt0_reported_is=0") == [hidden.id, old.id]
    assert adm.listed(client, "message", "?flt0_open_reports_is=1") == [reported.id]
    start = (now - 3 * adm.DAY).strftime("%Y-%m-%d %H:%M:%S")
    end = (now - adm.DAY / 2).strftime("%Y-%m-%d %H:%M:%S")
    assert adm.listed(client, "message", f"?flt0_posted_between={start}+to+{end}") == \
        [reported.id, hidden.id]
    assert adm.listed(client, "message",
                      f"?flt0_posted_between={start}+to+{end}&flt1_hidden_is=0") == [reported.id]


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


def test_message_details_show_the_conversation_and_the_list_its_counts(client, as_mod, make_user,
                                                                       make_message):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    parent = make_message(alice, "the question")
    answer = bob.post("the answer", in_reply_to=parent)
    rude = carol.post("a rude answer", in_reply_to=parent)
    moderation.hide_message(as_mod, rude, "rude")
    bob.like(parent)
    carol.like(parent)
    page = client.get(f"/admin/message/details/?id={parent.id}").get_data(as_text=True)
    replies = page[page.index("Conversation"):page.index("Reports on this message")]
    assert "the answer" in replies and "a rude answer" in replies and "hidden" in replies
    assert f'href="/admin/message/details/?id={answer.id}"' in replies
    page = client.get(f"/admin/message/details/?id={answer.id}").get_data(as_text=True)
    assert "In reply to" in page and f'href="/admin/message/details/?id={parent.id}"' in page
    alice.delete_message(parent)
    page = client.get(f"/admin/message/details/?id={answer.id}").get_data(as_text=True)
    assert "In reply to a deleted message." in page
    listed = client.get("/admin/message/?flt0_author_equals=bob").get_data(as_text=True)
    assert "Replies" in listed and "Likes" in listed


def test_message_list_shows_reply_and_like_counts(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    parent = make_message(alice, "count me")
    bob.post("one", in_reply_to=parent)
    bob.like(parent)
    rows = adm.export(client, "message", "?flt0_author_equals=alice")
    assert [(r["Content"], r["Replies"], r["Likes"]) for r in rows] == [("count me", "1", "1")]
    rows = adm.export(client, "message", "?flt0_author_equals=bob")
    assert [(r["Content"], r["In reply to"]) for r in rows] == [("one", str(parent.id))]


def test_the_list_shows_each_change_of_a_row_at_once(client, as_admin, make_user, make_message):
    """List rows are rendered once and kept (ModeratorView.kept_cells): a change to the
    message, its author or its reports must show on the next load all the same."""
    bob = make_user("bob")
    message = make_message(bob, "kept row")

    def row():
        page = client.get("/admin/message/").get_data(as_text=True)
        start = page.index(f'href="/admin/message/details/?id={message.id}&amp;')
        return page[start:page.index("</tr>", start)]

    assert "visible" in row() and "badge-warning" not in row()
    moderation.hide_message(as_admin, Message.get_by_id(message.id), reason="spam wave")
    assert "hidden" in row() and "spam wave" in row()
    moderation.suspend_user(as_admin, bob, reason="bot")
    assert "suspended" in row()
    Report.file(make_user("carol"), Message.get_by_id(message.id), "spam", "")
    assert "1 open" in row()
