"""End-to-end: join, post, follow and read the timeline in a real (headless) Chromium.

The app runs under gunicorn in a subprocess with its own SQLite file; two
browser contexts play two people. Screenshots land in tests/artifacts/.

Skips when Playwright or Chromium is missing, unless REQUIRE_BROWSER=1 (then
it fails). `TWEEPEE_CHROMIUM=/path` picks another browser binary.

    python -m pytest tests/test_browser.py -q -rs
"""
import pytest

from tests import browser_support as bs
from tests import server_support as ss

PASSWORD = "correct-horse-battery"
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def live_server(browser, tmp_path_factory):
    """Base URL of the app served by gunicorn on 127.0.0.1; terminated afterwards.

    Depends on `browser` so that nothing is started when the test is skipped.
    """
    with ss.LiveServer(tmp_path_factory.mktemp("e2e")) as server:
        yield server.url


def new_page(browser, label, viewport=DESKTOP):
    """A page in a fresh context (its own cookies), watched for errors and external loads."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return page, bs.PageWatch(page, label)


def test_join_post_follow_and_read_timeline(browser, live_server):
    """Two people join; one follows the other and sees both their messages, newest first."""
    alice, alice_watch = new_page(browser, "alice")
    bob, bob_watch = new_page(browser, "bob")
    try:
        # Alice joins and lands on her home timeline, logged in.
        bs.fill_join_form(alice, live_server, "alice_e2e", PASSWORD)
        bs.screenshot(alice, "join")
        bs.submit_form_of(alice, "input[name=username]")
        assert alice.url == live_server + "/"
        assert bs.nav_username(alice) == "alice_e2e"
        assert alice.locator("h1").first.inner_text() == "Your timeline"

        # She posts through the post box; the message shows on her timeline.
        bs.post_message(alice, "Hello from Alice, first post")
        assert alice.url == live_server + "/"
        assert bs.messages_on_page(alice) == [("alice_e2e", "Hello from Alice, first post")]

        # Bob joins in his own context and posts (after Alice, so his message is newer).
        bs.join(bob, live_server, "bob_e2e", PASSWORD)
        assert bs.nav_username(bob) == "bob_e2e"
        bs.post_message(bob, "Bob here: hi everyone")
        assert ("bob_e2e", "Bob here: hi everyone") in bs.messages_on_page(bob)

        # Alice opens Bob's profile and follows him.
        alice.goto(f"{live_server}/users/bob_e2e/")
        assert bs.profile_count(alice, "followers") == 0
        follow = alice.locator(".profile-actions button", has_text="Follow")
        assert follow.inner_text().strip() == "Follow"
        with alice.expect_navigation():
            follow.click()
        assert alice.url == f"{live_server}/users/bob_e2e/"
        assert alice.locator(".profile-actions button").first.inner_text().strip() == "Unfollow"
        assert bs.profile_count(alice, "followers") == 1
        bs.screenshot(alice, "profile")

        # Her home timeline now holds both messages, newest (Bob's) first.
        alice.goto(live_server + "/")
        assert bs.messages_on_page(alice) == [
            ("bob_e2e", "Bob here: hi everyone"),
            ("alice_e2e", "Hello from Alice, first post"),
        ]
        assert bs.horizontal_overflow(alice) <= 0
        bs.screenshot(alice, "timeline")

        # The same timeline at phone width: nothing wider than the screen.
        alice.set_viewport_size(MOBILE)
        alice.reload()
        assert bs.horizontal_overflow(alice) <= 0, "the timeline scrolls sideways at 390 px"
        bs.screenshot(alice, "timeline-mobile")
        alice.goto(f"{live_server}/users/bob_e2e/")
        assert bs.horizontal_overflow(alice) <= 0, "the profile scrolls sideways at 390 px"
        bs.screenshot(alice, "profile-mobile")

        assert alice_watch.loaded("/static/css/tweepee.css")
        alice_watch.assert_clean()
        bob_watch.assert_clean()
    finally:
        alice.context.close()
        bob.context.close()


@pytest.mark.parametrize("path", ["/", "/public/", "/users/", "/join/", "/login/",
                                  "/users/nobody_here/"])
def test_anonymous_pages_load_cleanly(browser, live_server, path):
    """Pages a visitor sees: no console errors (a 404 page aside), nothing from other hosts."""
    page, watch = new_page(browser, f"anonymous {path}")
    try:
        response = page.goto(live_server + path)
        expected = 404 if path.startswith("/users/nobody") else 200
        assert response.status == expected
        assert bs.nav_username(page) is None
        assert watch.loaded("/static/css/tweepee.css")
        if expected == 404:  # Chromium logs the status of the document itself as an error
            watch.forget_failed_load(live_server + path)
        watch.assert_clean()
    finally:
        page.context.close()
