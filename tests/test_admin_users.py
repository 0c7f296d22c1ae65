"""The back office's users view (/admin/user/): suspending and restoring, roles (the
actions and the edit form), search, filters, sorting, the details page, and the
password hash that is never shown."""
import re

from adminapp import moderation
from adminapp.models import User, utcnow
from tests import admin_support as adm


def test_moderator_suspends_and_restores_users_with_a_reason(client, as_mod, make_user, audit_rows):
    alice, bob = make_user("alice"), make_user("bob")
    page = adm.act(client, "user", "suspend", [alice.id, bob.id], reason="spam wave")
    assert "Suspend user: 2 done." in page
    assert User.select().where(User.suspended_at.is_null(False)).count() == 2
    entries = audit_rows("suspend")
    assert [(e.actor_id, e.target_model, e.target_id) for e in entries] == \
        [(as_mod.id, "user", str(alice.id)), (as_mod.id, "user", str(bob.id))]
    assert entries[0].details["reason"] == "spam wave"

    adm.act(client, "user", "restore", [alice.id])
    assert User.get_by_id(alice.id).suspended_at is None
    assert User.get_by_id(bob.id).suspended_at is not None
    assert [e.target_id for e in audit_rows("restore")] == [str(alice.id)]


def test_suspend_without_a_reason_uses_the_preset_one(client, as_mod, make_user, audit_rows):
    alice = make_user("alice")
    adm.act(client, "user", "suspend", [alice.id])
    assert audit_rows("suspend")[0].details["reason"] == \
        "Suspended by a moderator from the back office"


def test_moderator_cannot_suspend_an_admin_or_a_moderator(client, as_mod, staff, make_user,
                                                          audit_rows):
    other_mod = make_user("othermod", role="moderator")
    page = adm.act(client, "user", "suspend", [staff.admin.id, other_mod.id])
    assert "You cannot act on root" in page and "You cannot act on othermod" in page
    assert "done" not in page
    assert User.select().where(User.suspended_at.is_null(False)).count() == 0
    assert audit_rows("suspend") == []


def test_moderator_cannot_act_on_themselves(client, as_mod):
    page = adm.act(client, "user", "suspend", [as_mod.id])
    assert "You cannot moderate yourself." in page
    assert User.get_by_id(as_mod.id).suspended_at is None


def test_admin_changes_roles_with_the_actions(client, as_admin, make_user, audit_rows):
    alice, bob = make_user("alice"), make_user("bob")
    adm.act(client, "user", "set_moderator", [alice.id, bob.id])
    assert [u.role for u in User.select().where(User.id.in_([alice.id, bob.id]))] == \
        ["moderator", "moderator"]
    adm.act(client, "user", "set_user", [bob.id])
    assert User.get_by_id(bob.id).role == "user"
    assert [(e.target_id, e.details["before"], e.details["after"])
            for e in audit_rows("set_role")] == \
        [(str(alice.id), "user", "moderator"), (str(bob.id), "user", "moderator"),
         (str(bob.id), "moderator", "user")]


def test_admin_edits_a_role_and_the_save_goes_through_set_role(client, as_admin, make_user,
                                                               audit_rows):
    alice = make_user("alice")
    form = client.get(f"/admin/user/edit/?id={alice.id}").get_data(as_text=True)
    assert 'name="role"' in form and 'name="email"' not in form and "password" not in form
    response = client.post(f"/admin/user/edit/?id={alice.id}",
                           data={"role": "moderator", "reason": "helps a lot"})
    assert response.status_code == 302
    assert User.get_by_id(alice.id).role == "moderator"
    entry, = audit_rows("set_role")
    assert (entry.actor_id, entry.details["reason"]) == (as_admin.id, "helps a lot")


def test_an_admin_cannot_make_another_admin_through_the_edit_form(client, as_admin, make_user,
                                                                  audit_rows):
    alice = make_user("alice")
    response = client.post(f"/admin/user/edit/?id={alice.id}", data={"role": "admin"})
    assert "You can only give roles below your own" in response.get_data(as_text=True)
    assert User.get_by_id(alice.id).role == "user"
    assert audit_rows("set_role") == []


def test_user_search_and_filters(client, as_mod, make_user):
    alice = make_user("alice", email="alice@wonder.land")
    bob = make_user("bob", suspended=True)
    carol = make_user("carol", role="moderator")
    User.update(join_date=utcnow() - 10 * adm.DAY).where(User.id == alice.id).execute()
    # by prefix of the username or the email (what their indexes can read)
    assert adm.listed(client, "user", "?search=ALICE@w") == [alice.id]
    assert adm.listed(client, "user", "?search=wonder") == []
    assert adm.listed(client, "user", "?search=%25") == []
    assert adm.listed(client, "user", "?search=_") == []
    assert adm.listed(client, "user", "?search=BOB") == [bob.id]
    assert adm.listed(client, "user", "?flt0_role_equals=moderator") == [carol.id, as_mod.id]
    assert adm.listed(client, "user", "?flt0_suspended_is=1") == [bob.id]
    assert bob.id not in adm.listed(client, "user", "?flt0_suspended_is=0")
    week_ago = (utcnow() - 7 * adm.DAY).strftime("%Y-%m-%d %H:%M:%S")
    assert adm.listed(client, "user", f"?flt0_joined_smaller_than={week_ago}") == [alice.id]


def test_users_sort_by_message_count_and_username(client, as_mod, make_user, make_message):
    alice, bob = make_user("alice"), make_user("bob")
    for _ in range(3):
        make_message(bob)
    make_message(alice)
    by_count = adm.listed(client, "user", "?sort=5&desc=1")
    assert by_count[:2] == [bob.id, alice.id]
    assert adm.listed(client, "user", "?sort=0") == \
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
    assert adm.listed(client, "user", "?search=scrypt") == []
