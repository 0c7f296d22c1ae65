"""The back office costs the same few queries whatever the page size: no per-row
lookups, and no COUNT(*) over a whole table on any list page or export."""
import re

import pytest

from adminapp import moderation
from adminapp.models import AuditLog, Message, Relationship, Report, User, utcnow
from tests import admin_support as adm

ROWS = 120
PAGE_SIZES = (20, 50, 100)
# Per list: a plain page, and one with a search, a filter and a sort on a joined column.
LISTS = {
    "user": "?search=user&flt0_suspended_is=0&sort=5&desc=1",
    "message": "?search=post&flt0_hidden_is=0&flt1_reported_is=1&sort=1",
    "relationship": "?search=user&flt0_follower_contains=user&sort=1&desc=1",
    "report": "?search=post&flt0_resolved_is=0&flt1_category_equals=spam&sort=3",
    "auditlog": "?search=hide&flt0_who_contains=mod&sort=1",
}


@pytest.fixture
def crowd(staff):
    """Besides the staff, ROWS of everything: users, messages (some hidden), follows,
    reports, audit entries."""
    mod = staff.moderator
    now = utcnow()
    User.insert_many([{"username": f"user{i:03d}", "email": f"u{i}@example.com",
                       "password_hash": "x", "join_date": now} for i in range(ROWS)]).execute()
    users = [u.id for u in User.select(User.id).where(User.username.startswith("user"))]
    Message.insert_many([{"user": users[i], "content": f"post number {i}", "pub_date": now,
                          "hidden_at": now if i % 3 == 0 else None,
                          "hidden_by": mod.id if i % 3 == 0 else None,
                          "hidden_reason": "spam" if i % 3 == 0 else None}
                         for i in range(ROWS)]).execute()
    messages = [m.id for m in Message.select(Message.id)]
    Relationship.insert_many([{"from_user": users[i], "to_user": users[(i + 1) % ROWS],
                               "created": now} for i in range(ROWS)]).execute()
    Report.insert_many([{"reporter": users[(i + 7) % ROWS], "message": messages[i],
                         "category": "spam", "created": now} for i in range(ROWS)]).execute()
    for message in Message.select().where(Message.hidden_at.is_null()).limit(ROWS // 2):
        moderation.hide_message(mod, message, "spam")
        moderation.unhide_message(mod, message)


def run(client, count_queries, url):
    with count_queries() as q:
        response = client.get(url)
        body = response.get_data(as_text=True)
    assert response.status_code == 200, url
    return q, body


def whole_table_counts(statements):
    """Statements that count a whole (filtered) table, like Flask-Admin's pager count."""
    return [s for s in statements if re.match(r"\s*SELECT\s+COUNT\(", s, re.I) or "_wrapped" in s]


@pytest.mark.parametrize("view", LISTS)
def test_list_pages_cost_the_same_at_any_page_size(client, count_queries, crowd, as_admin, view):
    for query in ("?", LISTS[view] + "&"):
        counts = {}
        for size in PAGE_SIZES:
            q, body = run(client, count_queries, f"/admin/{view}/{query}page_size={size}")
            if query == "?":
                assert len(re.findall(adm.ROW_LINK.format(view=view), body)) == size
            assert whole_table_counts(q.statements) == []
            counts[size] = q.n
        assert len(set(counts.values())) == 1, (view, query, counts)
        assert counts[20] <= 3, (view, query, counts)


@pytest.mark.parametrize("view", LISTS)
def test_exports_cost_the_same_whatever_the_number_of_rows(client, count_queries, crowd, as_admin,
                                                           view):
    few, _ = run(client, count_queries, f"/admin/{view}/export/csv/?search=zzz-nothing")
    everything, body = run(client, count_queries, f"/admin/{view}/export/csv/")
    assert len(body.splitlines()) > ROWS
    assert few.n == everything.n <= 3, (few.statements, everything.statements)
    assert whole_table_counts(everything.statements) == []


@pytest.mark.parametrize("view, model", [("user", User), ("message", Message), ("report", Report),
                                         ("relationship", Relationship), ("auditlog", AuditLog)])
def test_details_pages_cost_a_constant_number_of_queries(client, count_queries, crowd, as_admin,
                                                         view, model):
    rows = model.select(model.id).order_by(model.id)
    if model is User:
        rows = rows.where(User.role == "user")
    first, last = rows.first().id, rows.order_by(model.id.desc()).first().id
    counts = {run(client, count_queries, f"/admin/{view}/details/?id={pk}")[0].n
              for pk in (first, last)}
    assert len(counts) == 1 and counts.pop() <= 6, view


def test_user_details_cost_the_same_for_a_busy_user(client, count_queries, crowd, as_admin):
    quiet = User.get(User.username == "user000")
    busy = User.get(User.username == "mod")     # wrote the whole audit log
    Message.insert_many([{"user": busy.id, "content": f"busy {i}", "pub_date": utcnow()}
                         for i in range(50)]).execute()
    quiet_q, _ = run(client, count_queries, f"/admin/user/details/?id={quiet.id}")
    busy_q, body = run(client, count_queries, f"/admin/user/details/?id={busy.id}")
    assert "What mod did as moderator" in body
    assert busy_q.n == quiet_q.n + 1    # the "what they did" list, shown for staff only
