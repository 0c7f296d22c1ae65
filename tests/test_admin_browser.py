"""End-to-end: a moderator runs the back office in a real (headless) Chromium.

The app runs under gunicorn in a subprocess, on a SQLite file seeded by
seed_data.py (admin, moderator and demo, with the demo password, and a few
open reports). The moderator logs in through /login/, reads the dashboard
(its chart must really be drawn), hides a message with a bulk action and
resolves a report. Screenshots land in tests/artifacts/admin-*.png.

Skips when Playwright or Chromium is missing, unless REQUIRE_BROWSER=1 (then
it fails). `TWEEPEE_CHROMIUM=/path` picks another browser binary.

    python -m pytest tests/test_admin_browser.py -q -rs
"""
import pytest

from tests import admin_browser_support as abs_
from tests import browser_support as bs
from tests import server_support as ss

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
KPIS = ("users", "active_today", "messages_today", "messages_week", "open_reports",
        "suspended", "hidden")


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    """The seeded app under gunicorn on 127.0.0.1; terminated afterwards.

    Depends on `browser` so that nothing is started when the test is skipped.
    """
    with abs_.SeededLiveServer(tmp_path_factory.mktemp("admin-e2e")) as server:
        yield server


@pytest.fixture
def page_for(browser):
    """Factory: page_for("moderator") -> (page, watch), a fresh context logged in as that user
    (or anonymous with None); every context is closed after the test."""
    contexts = []

    def make(username, base_url, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch = bs.PageWatch(page, username or "anonymous")
        if username:
            abs_.login(page, base_url, username)
        return page, watch

    yield make
    for context in contexts:
        context.close()


def anonymous_status(server, path):
    """The HTTP status an anonymous visitor gets for `path` (no cookies)."""
    return ss.Client([server]).get(path).status


# --- the dashboard --------------------------------------------------------------------------
def test_dashboard_renders_figures_and_draws_the_chart(page_for, server):
    page, watch = page_for("moderator", server.url)
    response = page.goto(server.url + "/admin/")
    assert response.status == 200
    assert page.locator("h1").first.inner_text().strip() == "Dashboard"

    # Seven cards, each with a number; the seed's users and open reports are counted.
    for key in KPIS:
        assert page.locator(f'[data-kpi="{key}"] .kpi-value').is_visible(), key
    assert abs_.kpi(page, "users") == 30
    open_reports = server.query("SELECT COUNT(*) FROM report WHERE resolved_at IS NULL")[0][0]
    assert abs_.kpi(page, "open_reports") == open_reports > 0
    assert page.locator("#open-reports tr[data-report]").count() == min(open_reports, 5)
    assert page.locator("#top-posters tr[data-user]").count() > 0

    # The chart is drawn: Chart.js owns the canvas, both series are there, pixels are
    # painted (a blank canvas of the same size has none), and the area under the
    # messages line is filled near the bottom of the plot, across the month.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('activity-chart'))")
    bottom = [(fx, 0.97) for fx in (0.1, 0.3, 0.5, 0.7, 0.9)]
    paint = abs_.canvas_paint(page, "#activity-chart", bottom)
    assert paint["hasChart"] and paint["datasets"] == ["Messages", "Sign-ups"]
    assert paint["legend"]
    assert sorted(paint["axisTitles"]) == ["Day (UTC)", "Messages per day", "Sign-ups per day"]
    assert abs_.blank_canvas_paint(page, paint["width"], paint["height"]) == 0
    assert paint["painted"] > 0.02 * paint["width"] * paint["height"], paint
    assert sum(alpha > 0 for alpha in paint["alphas"]) >= 3, paint
    bs.screenshot(page, "admin-dashboard")

    assert watch.loaded("/static/vendor/chartjs/chart.umd.min.js")
    watch.assert_clean()

    # On a phone the page fits the screen (tables scroll inside their cards).
    page.set_viewport_size(MOBILE)
    page.reload()
    assert bs.horizontal_overflow(page) <= 0, "the dashboard scrolls sideways at 390 px"
    bs.screenshot(page, "admin-dashboard-mobile")


# --- hiding a message from the list ----------------------------------------------------------
def test_moderator_hides_a_message_with_the_bulk_action(page_for, server):
    # demo (a plain user) posts something that has to go
    demo, demo_watch = page_for("demo", server.url)
    text = "Buy cheap watches at totally-not-spam dot example, e2e"
    bs.post_message(demo, text)
    (message_id,), = server.query("SELECT id FROM message WHERE content = %s", text)
    permalink = f"/messages/{message_id}/"
    assert anonymous_status(server, permalink) == 200
    visitor, _ = page_for(None, server.url)
    visitor.goto(server.url + "/public/")
    assert text in [content for _, content in bs.messages_on_page(visitor)]

    # the moderator ticks its row on /admin/message/ and chooses "Hide"
    page, watch = page_for("moderator", server.url)
    page.goto(server.url + "/admin/message/")
    row = abs_.row_of(page, message_id)
    assert text in row.inner_text() and "visible" in row.inner_text()
    reason = page.locator("#action-reason")
    if reason.count():
        reason.fill("e2e: spam link")
    question = abs_.run_bulk_action(page, [message_id], "Hide")
    assert question and "Hide" in question

    assert any("1 done" in flash for flash in abs_.flashes(page)), abs_.flashes(page)
    assert "hidden" in abs_.row_of(page, message_id).inner_text()
    bs.screenshot(page, "admin-messages")

    # it is really hidden: stored, off /public/, and its permalink is gone for visitors
    (hidden_at, hidden_by), = server.query(
        'SELECT m.hidden_at, u.username FROM message m JOIN "user" u ON u.id = m.hidden_by_id '
        "WHERE m.id = %s", message_id)
    assert hidden_at is not None and hidden_by == "moderator"
    visitor.goto(server.url + "/public/")
    assert text not in [content for _, content in bs.messages_on_page(visitor)]
    assert anonymous_status(server, permalink) == 404
    (action, reason_logged), = server.query(
        "SELECT action, json_extract(details, '$.reason') FROM audit_log "
        "WHERE target_model = 'message' AND target_id = %s", str(message_id))
    assert action == "hide" and reason_logged
    watch.assert_clean()
    demo_watch.assert_clean()


# --- resolving a report ------------------------------------------------------------------------
def test_moderator_resolves_a_report_from_the_queue(page_for, server):
    # the oldest open report on a plain user's message (a moderator may hide those)
    candidates = server.query(
        'SELECT r.id, r.message_id FROM report r JOIN message m ON m.id = r.message_id '
        'JOIN "user" u ON u.id = m.user_id WHERE r.resolved_at IS NULL AND u.role = %s '
        "AND m.hidden_at IS NULL ORDER BY r.created, r.id LIMIT 1", "user")
    assert candidates, "the seeded site has no open report on a plain user's visible message"
    (report_id, message_id), = candidates
    page, watch = page_for("moderator", server.url)
    page.goto(server.url + "/admin/")
    open_before = abs_.kpi(page, "open_reports")

    page.goto(server.url + "/admin/report/")
    row = abs_.row_of(page, report_id)
    assert "open" in row.inner_text()
    abs_.run_bulk_action(page, [report_id], "Hide the message")

    assert any("1 done" in flash for flash in abs_.flashes(page)), abs_.flashes(page)
    status = abs_.row_of(page, report_id).inner_text()
    assert "message hidden" in status and "open" not in status.split()
    bs.screenshot(page, "admin-reports")

    (resolved_at, resolution, hidden_at), = server.query(
        "SELECT r.resolved_at, r.resolution, m.hidden_at FROM report r "
        "JOIN message m ON m.id = r.message_id WHERE r.id = %s", report_id)
    assert resolved_at is not None and resolution == "hide" and hidden_at is not None
    assert anonymous_status(server, f"/messages/{message_id}/") == 404

    # it has left the open queue: one fewer on the dashboard, and not in its queue head
    page.goto(server.url + "/admin/")
    assert abs_.kpi(page, "open_reports") == open_before - 1
    assert page.locator(f'#open-reports tr[data-report="{report_id}"]').count() == 0
    assert page.locator('#recent-actions tr[data-action="resolve_report"]').count() >= 1
    watch.assert_clean()
