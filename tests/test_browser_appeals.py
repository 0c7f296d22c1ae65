"""End-to-end, in headless Chromium: a moderator undoes a hide from the audit log (one click
and its confirmation), a suspended person appeals from the refused login, and the
moderator decides it in /admin/appeal/. The seeded site (seed_data.py) has hidden
messages, a suspended user and appeals already. Screenshots in tests/artifacts/appeals-*.png.

Skips when Playwright or Chromium is missing, unless REQUIRE_BROWSER=1.
"""
import pytest

from tests import admin_browser_support as abs_
from tests import browser_support as bs

DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    with abs_.SeededLiveServer(tmp_path_factory.mktemp("appeals-e2e")) as server:
        yield server


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        context = browser.new_context(viewport=DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        return page, bs.PageWatch(page, "page")

    yield make
    for context in contexts:
        context.close()


class Clicks:
    """Counts a person's clicks, a confirmation accepted included."""

    def __init__(self, page):
        self.n = 0
        page.on("dialog", self.accept)

    def accept(self, dialog):
        self.n += 1
        dialog.accept()

    def click(self, locator):
        self.n += 1
        locator.click()


def test_undo_the_last_hide_from_the_audit_log_in_two_clicks(new_page, server):
    page, watch = new_page()
    abs_.login(page, server.url, "moderator")
    page.goto(server.url + "/admin/auditlog/?flt0_action_equals=hide")
    (hide_id, message_id), = server.query(
        "SELECT id, target_id FROM audit_log WHERE action = 'hide' AND id NOT IN "
        "(SELECT undoes_id FROM audit_log WHERE undoes_id IS NOT NULL) ORDER BY id DESC LIMIT 1")
    bs.screenshot(page, "appeals-auditlog")
    clicks = Clicks(page)
    with page.expect_navigation():
        clicks.click(page.locator(f'form[action="/admin/auditlog/undo/{hide_id}/"] button'))
    assert clicks.n <= 2
    assert f"Undone: audit entry #{hide_id}" in page.content()
    assert server.query("SELECT hidden_at FROM message WHERE id = %s", int(message_id)) == [(None,)]
    assert server.query("SELECT action FROM audit_log WHERE undoes_id = %s", hide_id) == [
        ("unhide",)]
    assert page.locator(f'form[action="/admin/auditlog/undo/{hide_id}/"]').count() == 0
    watch.assert_clean()


def test_a_suspended_person_appeals_and_a_moderator_approves(new_page, server):
    moderator, mod_watch = new_page()
    abs_.login(moderator, server.url, "moderator")
    (demo_id,), = server.query("SELECT id FROM \"user\" WHERE username = 'demo'")
    moderator.goto(server.url + f"/admin/user/details/?id={demo_id}")
    moderator.once("dialog", lambda dialog: dialog.accept())
    with moderator.expect_navigation():
        moderator.click('button[name=action][value=suspend]')
    assert server.query("SELECT suspended_at IS NOT NULL FROM \"user\" WHERE id = %s",
                        demo_id) == [(1,)]

    person, watch = new_page()
    person.goto(server.url + "/login/")
    person.fill("input[name=username]", "demo")
    person.fill("input[name=password]", abs_.DEMO_PASSWORD)
    bs.submit_form_of(person, "input[name=username]")
    assert "This account is suspended" in person.content()
    bs.screenshot(person, "appeals-login-refused")
    with person.expect_navigation():
        person.click("a[href='/appeals/']")
    assert "Your account is suspended" in person.content()
    bs.screenshot(person, "appeals-page")
    person.fill("form textarea[name=text]", "Someone else used my account; I changed my password.")
    bs.submit_form_of(person, "textarea[name=text]")
    assert "Your appeal is sent" in person.content()
    watch.forget_failed_load(server.url + "/login/")   # the refusal is a 403, as it should be
    watch.assert_clean()

    (appeal_id,), = server.query("SELECT id FROM appeal WHERE user_id = %s", demo_id)
    moderator.goto(server.url + "/admin/appeal/?search=demo")
    bs.screenshot(moderator, "appeals-queue")
    abs_.run_bulk_action(moderator, [appeal_id], "Approve")
    assert server.query("SELECT status FROM appeal WHERE id = %s", appeal_id) == [("approved",)]
    assert server.query("SELECT suspended_at FROM \"user\" WHERE id = %s", demo_id) == [(None,)]
    moderator.goto(server.url + "/admin/")
    assert abs_.kpi(moderator, "appeals_waiting") >= 1    # the seed's
    bs.screenshot(moderator, "appeals-dashboard")
    mod_watch.assert_clean()
