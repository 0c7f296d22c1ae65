"""The back office's report queue (/admin/report/): its order, filters, links, and
resolving reports (hide the message, dismiss, not twice)."""
import pytest

from adminapp.models import Message, Report, utcnow
from tests import admin_support as adm


@pytest.fixture
def reports(make_user, make_message):
    """Three reports on bob's messages: an old open one, a new open one, an old resolved one."""
    alice, bob = make_user("alice"), make_user("bob")
    spam, rude, fine = (make_message(bob, t) for t in ("buy now", "you fool", "hello"))
    now = utcnow()
    new = Report.create(reporter=alice, message=spam, category="spam", created=now - adm.DAY)
    old = Report.create(reporter=alice, message=rude, category="abuse", created=now - 5 * adm.DAY)
    done = Report.create(reporter=alice, message=fine, category="other", created=now - 9 * adm.DAY,
                         resolved_at=now - 8 * adm.DAY, resolution="dismiss")
    return {"new": new, "old": old, "done": done}


def test_report_queue_is_open_first_then_oldest_first(client, as_mod, reports):
    assert adm.listed(client, "report") == \
        [reports["old"].id, reports["new"].id, reports["done"].id]


def test_report_filters(client, as_mod, reports):
    assert adm.listed(client, "report", "?flt0_category_equals=spam") == [reports["new"].id]
    assert adm.listed(client, "report", "?flt0_resolved_is=0") == \
        [reports["old"].id, reports["new"].id]
    assert adm.listed(client, "report", "?flt0_resolved_is=1") == [reports["done"].id]
    assert adm.listed(client, "report", "?flt0_reporter_equals=alice&flt1_author_equals=bob") == \
        [reports["old"].id, reports["new"].id, reports["done"].id]
    message_id = reports["new"].message_id
    assert adm.listed(client, "report", f"?flt0_message_id_equals={message_id}") == \
        [reports["new"].id]


def test_a_report_row_puts_message_author_and_reporter_one_click_away(client, as_mod, reports):
    report = reports["new"]
    page = client.get("/admin/report/?flt0_category_equals=spam").get_data(as_text=True)
    assert "buy now" in page
    assert f'href="/messages/{report.message_id}/"' in page
    assert f'href="/admin/message/details/?id={report.message_id}"' in page
    assert f'href="/admin/user/details/?id={report.reporter_id}"' in page
    assert 'href="/users/bob/"' in page


def test_hide_message_resolves_the_report_and_hides_the_message(client, as_mod, reports,
                                                                audit_rows):
    report = reports["new"]
    adm.act(client, "report", "hide_message", [report.id])
    report = Report.get_by_id(report.id)
    assert (report.resolution, report.resolved_by_id) == ("hide", as_mod.id)
    assert Message.get_by_id(report.message_id).hidden_reason == "Spam"   # the category's preset
    assert [e.target_id for e in audit_rows("resolve_report")] == [str(report.id)]
    assert [e.target_id for e in audit_rows("hide")] == [str(report.message_id)]


def test_dismiss_leaves_the_message_alone(client, as_mod, reports, audit_rows):
    report = reports["old"]
    adm.act(client, "report", "dismiss", [report.id], reason="satire")
    report = Report.get_by_id(report.id)
    assert report.resolution == "dismiss"
    assert Message.get_by_id(report.message_id).hidden_at is None
    assert audit_rows("resolve_report")[0].details["reason"] == "satire"


def test_a_resolved_report_cannot_be_resolved_again(client, as_mod, reports, audit_rows):
    page = adm.act(client, "report", "dismiss", [reports["done"].id])
    assert "already resolved" in page
    assert audit_rows("resolve_report") == []
