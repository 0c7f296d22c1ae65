"""The back office's audit log (/admin/auditlog/): newest first, filters, links to
the targets, readable details."""
import pytest

from adminapp import moderation
from adminapp.models import utcnow
from tests import admin_support as adm


@pytest.fixture
def history(staff, make_user, make_message):
    alice = make_user("alice")
    message = make_message(alice, "meh")
    moderation.hide_message(staff.moderator, message, "meh")
    moderation.suspend_user(staff.moderator, alice, "spam")
    moderation.set_role(staff.admin, alice, "moderator", reason="trusted")
    return {"alice": alice, "message": message}


def test_audit_log_is_newest_first_and_filters(client, as_mod, history, audit_rows):
    newest_first = [e.id for e in reversed(audit_rows())]
    assert adm.listed(client, "auditlog") == newest_first
    assert len(adm.listed(client, "auditlog", "?flt0_who_equals=mod")) == 2
    assert len(adm.listed(client, "auditlog", "?flt0_who_contains=roo")) == 1
    assert adm.listed(client, "auditlog", "?flt0_action_equals=suspend") == \
        [audit_rows("suspend")[0].id]
    assert len(adm.listed(client, "auditlog", "?flt0_target_type_equals=user")) == 2
    tomorrow = (utcnow() + adm.DAY).strftime("%Y-%m-%d %H:%M:%S")
    assert adm.listed(client, "auditlog", f"?flt0_when_greater_than={tomorrow}") == []


def test_audit_rows_link_to_their_targets(client, as_mod, history):
    page = client.get("/admin/auditlog/").get_data(as_text=True)
    message_id, alice_id = history["message"].id, history["alice"].id
    assert f'href="/admin/message/details/?id={message_id}"' in page
    assert f'href="/messages/{message_id}/"' in page
    assert f'href="/admin/user/details/?id={alice_id}"' in page


def test_audit_details_are_readable(client, as_mod, history, audit_rows):
    entry = audit_rows("set_role")[0]
    page = client.get(f"/admin/auditlog/details/?id={entry.id}").get_data(as_text=True)
    assert "user</span> → <b>moderator</b>" in page and "“trusted”" in page
    assert '&#34;after&#34;: &#34;moderator&#34;' in page   # the JSON, indented, below
