"""End-to-end: search from the navigation's box and follow a hashtag, in a real (headless)
Chromium against the app under gunicorn (see test_browser.py for the setup)."""
import pytest

from tests import browser_support as bs
from tests import server_support as ss

PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def live_server(browser, tmp_path_factory):
    with ss.LiveServer(tmp_path_factory.mktemp("e2e-search")) as server:
        yield server.url


def test_search_from_the_nav_and_open_a_tag(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = bs.PageWatch(page, "searcher")
    try:
        bs.join(page, live_server, "finder_e2e", PASSWORD)
        bs.post_message(page, "Lighthouse keepers unite #NightShift <b>not bold</b>")
        bs.post_message(page, "Nothing to see here")

        # the box in the navigation, then Enter
        box = page.locator("form.nav-search input[name=q]")
        box.fill("lighthouse")
        with page.expect_navigation():
            box.press("Enter")
        assert page.url == f"{live_server}/search/?q=lighthouse"
        assert page.locator(".message .content mark").all_inner_texts() == ["Lighthouse"]
        assert page.locator(".message .content b").count() == 0  # the <b> stayed text
        assert bs.messages_on_page(page) == [
            ("finder_e2e", "Lighthouse keepers unite #NightShift <b>not bold</b>")]
        bs.screenshot(page, "search")

        # the hashtag is a link to its page
        with page.expect_navigation():
            page.locator(".message .content a.tag").click()
        assert page.url == f"{live_server}/tags/nightshift/"
        assert len(bs.messages_on_page(page)) == 1

        # junk gets a page, not an error
        response = page.goto(f"{live_server}/search/?q=%22NEAR(%2A")
        assert response.status == 200
        watch.assert_clean()
    finally:
        context.close()
