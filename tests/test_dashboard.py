"""The back-office dashboard at /admin/: who may see it, every figure on it, and its cost.

A small site is built with the factories and the moderation verbs, the
dashboard's clock is frozen, and each card, the chart's JSON, the top lists,
the report queue and the recent actions are read back from the page.
"""
import datetime
import json
import re

import pytest
from playhouse.migrations import Runner

from adminapp import db, formatting, moderation
from adminapp.admin import dashboard
from adminapp.models import Message, Relationship, Report, User, utcnow

DAY = datetime.timedelta(days=1)
# One query per figure: KPIs, messages/day, sign-ups/day, top posters, most followed,
# open reports, recent actions. Plus Flask-Login loading the logged-in user.
FIGURE_QUERIES = 6  # cards, chart, top posters, most followed, report queue, audit
LOGIN_QUERIES = 1
DUE_QUERIES = 1  # the dashboard lifts the timed suspensions that have ended (one index read)

KPI_RE = re.compile(r'data-kpi="(\w+)" data-value="(\d+)"')
CHART_RE = re.compile(
    r'<script type="application/json" id="dashboard-chart-data"[^>]*>(.*?)</script>', re.S)


# --- helpers ----------------------------------------------------------------------------
@pytest.fixture
def now(monkeypatch):
    """Freeze the dashboard's clock at the real current time; returns it."""
    frozen = utcnow()
    monkeypatch.setattr(dashboard, "utcnow", lambda: frozen)
    return frozen


@pytest.fixture
def today(now):
    """UTC midnight of the frozen day."""
    return datetime.datetime.combine(now.date(), datetime.time())


def dashboard_page(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kpis(html):
    return {key: int(value) for key, value in KPI_RE.findall(html)}


def chart(html):
    return json.loads(CHART_RE.search(html).group(1))


def section(html, element_id):
    """The HTML of the card with `element_id` (up to the next grid column or the page end)."""
    start = html.index(f'id="{element_id}"')
    end = html.find('<div class="col-', start)
    return html[start:end if end != -1 else None]


def rows(html, element_id, attribute):
    """The values of `attribute` on the table rows of a card, top to bottom."""
    return re.findall(fr'<tr {attribute}="([^"]+)"', section(html, element_id))


# --- the site the figures are checked against ---------------------------------------------
@pytest.fixture
def site(staff, make_user, make_message, today):
    """Six people (the staff, alice, bob, carol and dave), messages spread over the last
    weeks, follows, reports and moderation.

    Expected figures: users 6, active today 2 (alice, bob), messages today 3,
    this week 6, open reports 2, suspended 1 (dave), hidden 1.
    """
    mod = staff.moderator
    alice, bob, carol, dave = (make_user(name) for name in ("alice", "bob", "carol", "dave"))

    def at(days_ago, hours=9):
        return today - days_ago * DAY + datetime.timedelta(hours=hours)

    messages = {
        "alice_today_1": make_message(alice, "alice one", at(0, 1)),
        "alice_today_2": make_message(alice, "alice two", at(0, 2)),
        "alice_3d": make_message(alice, "alice three days ago", at(3)),
        "alice_10d": make_message(alice, "alice ten days ago, spam", at(10)),
        "bob_today": make_message(bob, "bob today", at(0, 0)),
        "bob_6d": make_message(bob, "bob six days ago", at(6)),
        # 7 days ago at 23:00 is before this week (the last 7 days, today included)
        "bob_7d": make_message(bob, "bob seven days ago", at(7, 23)),
        "carol_2d": make_message(carol, "carol two days ago", at(2)),
    }
    # Follows: bob gains 2 this week, carol 1 this week and 1 older, alice 1 with no date.
    for follower, followed, created in ((alice, bob, at(1)), (carol, bob, at(0, 0)),
                                        (alice, carol, at(4)), (bob, carol, at(12)),
                                        (carol, alice, None)):
        Relationship.create(from_user=follower, to_user=followed, created=created)
    # Reports, filed in this order (oldest first), one resolved.
    r1 = Report.file(bob, messages["alice_10d"], "spam", note="pure spam")
    r2 = Report.file(carol, messages["alice_10d"], "abuse")
    r3 = Report.file(carol, messages["bob_today"], "other")
    Report.update(created=at(3)).where(Report.id == r1.id).execute()
    Report.update(created=at(2)).where(Report.id == r2.id).execute()
    Report.update(created=at(1)).where(Report.id == r3.id).execute()
    # Moderation, through the verbs (one audit row each; resolving writes one more).
    moderation.suspend_user(mod, dave, "spam bot")
    moderation.hide_message(mod, messages["alice_10d"], "spam")
    moderation.resolve_report(mod, Report.get_by_id(r2.id), "dismiss", "already hidden")
    return dict(alice=alice, bob=bob, carol=carol, dave=dave, messages=messages,
                reports=(r1, r2, r3))


# --- access -----------------------------------------------------------------------------
@pytest.mark.parametrize("role, expected", [(None, "login"), ("user", 403),
                                            ("moderator", 200), ("admin", 200)])
def test_access_by_role(client, auth, make_user, role, expected):
    if role:
        make_user("someone", role=role)
        auth.login("someone")
    response = client.get("/admin/")
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login/?next=")
        assert "admin" in response.headers["Location"]
    else:
        assert response.status_code == expected


def test_suspended_moderator_is_logged_out_of_the_dashboard(client, staff, as_mod):
    assert client.get("/admin/").status_code == 200
    moderation.suspend_user(staff.admin, as_mod, "left the team")
    assert client.get("/admin/").status_code in (302, 403)


# --- the figures ------------------------------------------------------------------------
def test_kpi_cards(client, site, as_mod):
    figures = kpis(dashboard_page(client))
    assert figures == {"users": 6, "active_today": 2, "messages_today": 3, "messages_week": 6,
                       "open_reports": 2, "suspended": 1, "hidden": 1,
                       # the moderation figures (tests/test_appeals.py counts them)
                       "appeals_waiting": 0, "strikes_week": 0, "suspensions_ending_today": 0}


def test_chart_has_thirty_days_with_counts_on_the_right_days(client, auth, make_user,
                                                             make_message, today):
    make_user("mod", role="moderator")
    alice = make_user("alice")
    for when in (today, today + datetime.timedelta(hours=23, minutes=59),  # today: 3
                 today + datetime.timedelta(hours=12),
                 today - datetime.timedelta(microseconds=1),                # yesterday: 2
                 today - DAY,                                              # its midnight
                 today - 2 * DAY + datetime.timedelta(hours=5),             # 2 days ago: 1
                 today - 29 * DAY,                                         # first day: 1
                 today - 29 * DAY - datetime.timedelta(seconds=1),          # before: not shown
                 today - 45 * DAY):
        make_message(alice, "hello", pub_date=when)
    # sign-ups: mod today (default), alice 29 days ago, two more 10 days ago, one too old
    User.update(join_date=today - 29 * DAY + datetime.timedelta(hours=3)).where(
        User.id == alice.id).execute()
    for name in ("bob", "carol"):
        user = make_user(name)
        User.update(join_date=today - 10 * DAY).where(User.id == user.id).execute()
    old = make_user("old")
    User.update(join_date=today - 30 * DAY).where(User.id == old.id).execute()
    auth.login("mod")

    data = chart(dashboard_page(client))

    assert len(data["labels"]) == len(data["messages"]) == len(data["signups"]) == 30
    assert data["labels"][-1] == today.date().isoformat()
    assert data["labels"][0] == (today - 29 * DAY).date().isoformat()
    expected_messages = [0] * 30
    expected_messages[-1], expected_messages[-2], expected_messages[-3] = 3, 2, 1
    expected_messages[0] = 1
    assert data["messages"] == expected_messages
    expected_signups = [0] * 30
    expected_signups[-1], expected_signups[-11], expected_signups[0] = 1, 2, 1
    assert data["signups"] == expected_signups


def test_top_posters_this_week_in_order_with_links(client, site, as_mod):
    html = dashboard_page(client)
    # alice 3 this week (her 10-day-old message does not count), bob 2, carol 1
    assert rows(html, "top-posters", "data-user") == ["alice", "bob", "carol"]
    top = section(html, "top-posters")
    assert f'href="/admin/user/details/?id={site["alice"].id}"' in top
    assert 'href="/users/alice/"' in top


def test_most_followed_counts_new_follows_only(client, site, as_mod):
    html = dashboard_page(client)
    # bob 2 new; carol 1 new (and 1 older); alice's only follow has no date: not new
    assert rows(html, "most-followed", "data-user") == ["bob", "carol"]
    carol_row = re.search(r'<tr data-user="carol">(.*?)</tr>', section(html, "most-followed"), re.S)
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', carol_row.group(1))
    assert cells == ["2", "1", "2"]  # rank, new followers, all followers


def test_open_reports_queue_head(client, site, as_mod):
    html = dashboard_page(client)
    r1, r2, r3 = site["reports"]
    assert rows(html, "open-reports", "data-report") == [str(r1.id), str(r3.id)]  # oldest first
    queue = section(html, "open-reports")
    assert f'href="/messages/{site["messages"]["alice_10d"].id}/"' in queue
    assert 'href="/admin/report/' in queue
    assert "spam" in queue and "reported by bob" in queue and "pure spam" in queue
    assert "already hidden" in queue
    assert "All 2 open reports" in queue


def test_recent_actions_show_the_verbs_newest_first(client, site, as_mod):
    html = dashboard_page(client)
    # resolve_report wrote its row last; hide before it; suspend first
    assert rows(html, "recent-actions", "data-action") == ["resolve_report", "hide", "suspend"]
    actions = section(html, "recent-actions")
    assert actions.count(">mod</td>") == 3
    assert f'href="/admin/user/details/?id={site["dave"].id}">dave</a>' in actions
    assert f'href="/admin/message/details/?id={site["messages"]["alice_10d"].id}"' in actions
    assert "spam bot" in actions and "dismissed" in actions


def test_a_reload_shows_what_changed_since(client, site, staff, as_mod, monkeypatch, now):
    """Parts of the page are kept per content: each change shows at the next reload."""
    first = dashboard_page(client)
    assert section(dashboard_page(client), "open-reports") == section(first, "open-reports")
    alice, bob = site["alice"], site["bob"]
    Report.file(bob, site["messages"]["alice_today_1"], "spam", note="more spam")
    Message.create(user=alice, content="alice again", pub_date=now)
    moderation.hide_message(staff.moderator, site["messages"]["bob_6d"], "off-topic here")
    second = dashboard_page(client)
    assert kpis(second)["open_reports"] == kpis(first)["open_reports"] + 1
    assert kpis(second)["messages_today"] == kpis(first)["messages_today"] + 1
    assert "more spam" in section(second, "open-reports")
    assert "All 3 open reports" in section(second, "open-reports")
    assert rows(second, "recent-actions", "data-action")[0] == "hide"
    assert "off-topic here" in section(second, "recent-actions")
    # hours later, the same rows say how long ago they were filed
    later = now + datetime.timedelta(hours=2, minutes=30)
    monkeypatch.setattr(dashboard, "utcnow", lambda: later)
    assert "2 h ago" in section(dashboard_page(client), "open-reports")


def test_empty_site_still_renders(client, auth, make_user):
    make_user("mod", role="moderator")
    auth.login("mod")
    html = dashboard_page(client)
    assert kpis(html) == {"users": 1, "active_today": 0, "messages_today": 0, "messages_week": 0,
                          "open_reports": 0, "suspended": 0, "hidden": 0,
                          "appeals_waiting": 0, "strikes_week": 0, "suspensions_ending_today": 0}
    data = chart(html)
    assert data["messages"] == [0] * 30 and data["signups"] == [0] * 29 + [1]
    assert "No open reports" in html
    assert "No moderation actions yet" in html
    assert "Nobody has posted" in html and "No new follows" in html
    assert "chart.umd.min.js" in html


def test_numbers_have_thousands_separators(client, auth, make_user, today):
    mod = make_user("mod", role="moderator")
    bulk_messages(mod, 1234, today)
    auth.login("mod")
    html = dashboard_page(client)
    assert re.search(r'data-kpi="messages_today" data-value="1234">.*?>1,234<', html, re.S)


def test_page_is_offline_clean_and_uses_the_vendored_chart(client, auth, make_user):
    make_user("mod", role="moderator")
    auth.login("mod")
    html = dashboard_page(client)
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "an asset from another host"
    script = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and b"Chart.js v4" in script.data[:200]


# --- cost -------------------------------------------------------------------------------
def bulk_messages(user, count, start):
    """`count` messages by `user` from `start` on, one second apart (insert_many)."""
    rows = [{"user": user.id, "content": f"message {i}",
             "pub_date": start + datetime.timedelta(seconds=i)} for i in range(count)]
    with db.database.atomic():
        for i in range(0, count, 500):
            Message.insert_many(rows[i:i + 500]).execute()


def grow(make_user, today, users, messages):
    """Add `users` people who each follow the first one, `messages` messages and some reports."""
    people = [make_user() for _ in range(users)]
    for follower in people[1:]:
        Relationship.create(from_user=follower, to_user=people[0], created=today)
    bulk_messages(people[0], messages, today - 20 * DAY)
    for reporter, message in zip(people[1:], Message.select().limit(users - 1)):
        Report.file(reporter, message, "spam")


def test_query_count_is_constant_whatever_the_data(client, make_user, site, as_mod, today,
                                                   count_queries):
    dashboard_page(client)  # warm: anything done once per process is not counted
    with count_queries() as small:
        dashboard_page(client)
    grow(make_user, today, users=40, messages=3000)
    with count_queries() as large:
        html = dashboard_page(client)
    assert kpis(html)["users"] == 46
    assert small.n == large.n == FIGURE_QUERIES + LOGIN_QUERIES + DUE_QUERIES, large.statements


def test_each_figure_is_one_query(client, site, as_mod, count_queries):
    with count_queries() as q:
        dashboard_page(client)
    # Flask-Login's user load is the only statement that reads the password column; the
    # due suspensions' probe (DUE_QUERIES) the only one that compares suspended_until
    figures = [s for s in q.statements
               if '"password"' not in s and '"suspended_until" <=' not in s]
    assert len(figures) == FIGURE_QUERIES
    assert not any("GROUP BY date(" in s for s in figures)  # range counts, see per_day_query


# --- the dashboard's indexes (migration 0002) ------------------------------------------------
def index_names(table):
    return {index.name for index in db.database.obj.get_indexes(table)}


def test_migration_0002_adds_and_removes_the_dashboard_indexes(app):
    assert "message_hidden_at" in index_names("message")
    assert "relationship_to_user_id_created" in index_names("relationship")
    with db.database.connection_context():
        runner = Runner(db.database.obj, directory=db.MIGRATIONS_DIR)
        assert runner.down("0002_dashboard_indexes")[-1] == "0002_dashboard_indexes"
        assert "message_hidden_at" not in index_names("message")
        assert "relationship_to_user_id_created" not in index_names("relationship")
        assert "0002_dashboard_indexes" in runner.up()
    assert "message_hidden_at" in index_names("message")


def query_plan(query):
    """The database's plan for `query`, as one string of index and table names.

    PostgreSQL is told to avoid sequential scans: on a test-sized table it would
    rightly prefer them, and the question here is whether the index can serve.
    """
    sql, params = query.sql()
    if db.is_sqlite():
        plan = db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(row[3] for row in plan)
    with db.database.atomic():
        db.database.execute_sql("SET LOCAL enable_seqscan = off")
        return " | ".join(row[0] for row in db.database.execute_sql("EXPLAIN " + sql, params))


def test_figures_read_their_indexes_not_the_tables(app):
    with app.test_request_context():
        period = dashboard.Period.ending(utcnow())
        plan = query_plan(dashboard.kpi_query(dashboard.Bounds.of(period)))
        # either partial index of hidden messages serves (they hold only hidden rows)
        assert "message_hidden_at" in plan or "message_hidden_by_author" in plan, plan
        # the week's leaders: each day's busiest from the (day, n) index, no table scan
        bounds = dashboard.Bounds.of(period)
        for query, table in ((dashboard.most_followed_query(bounds), "followed_day"),
                             (dashboard.top_posters_query(bounds), "poster_day")):
            plan = query_plan(query)
            assert "day_n" in plan, plan  # the (day, n) index of poster_day, followed_day
            assert "message" not in plan and "relationship" not in plan, plan


# --- small pieces -------------------------------------------------------------------------
def test_period_weeks_and_chart_days():
    period = dashboard.Period.ending(datetime.datetime(2024, 3, 1, 15, 30))
    assert period.today == datetime.datetime(2024, 3, 1)
    assert period.week_start == datetime.datetime(2024, 2, 24)  # 7 days with today (leap year)
    assert len(period.days) == 30
    assert period.days[0] == datetime.date(2024, 2, 1)
    assert period.days[-1] == datetime.date(2024, 3, 1)


@pytest.mark.parametrize("seconds, text", [(5, "just now"), (125, "2 min ago"),
                                           (3 * 3600 + 5, "3 h ago"), (86400, "1 day ago"),
                                           (5 * 86400, "5 days ago")])
def test_timeago(seconds, text):
    now = datetime.datetime(2024, 3, 1, 12)
    assert formatting.timeago(now - datetime.timedelta(seconds=seconds), now) == text
