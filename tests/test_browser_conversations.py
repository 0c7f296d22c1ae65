"""End-to-end: a mention, a reply and a like through the real pages, in headless Chromium.

Alice mentions Bob; Bob sees the count in the navigation, opens his notifications,
goes to the message, likes it and answers it; Alice sees the thread and is told.
The thread's screenshot is the README's (tests/artifacts/thread.png).
"""
import pytest

from tests import browser_support as bs
from tests import server_support as ss

PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1100, "height": 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def live_server(browser, tmp_path_factory):
    with ss.LiveServer(tmp_path_factory.mktemp("conversations")) as server:
        yield server.url


def new_page(browser, label):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return page, bs.PageWatch(page, label)


def unread_count(page):
    count = page.locator("header.topbar .notices .count")
    return int(count.inner_text()) if count.count() else 0


def test_mention_reply_and_like_through_the_pages(browser, live_server):
    alice, alice_watch = new_page(browser, "alice")
    bob, bob_watch = new_page(browser, "bob")
    try:
        bs.join(bob, live_server, "bob_talks", PASSWORD)
        bs.join(alice, live_server, "alice_talks", PASSWORD)
        bs.post_message(alice, "Anyone up for a walk by the river, @bob_talks?")

        # Bob is told: a count in the navigation, the mention on his notifications page.
        bob.goto(live_server + "/public/")
        assert unread_count(bob) == 1
        bob.click("header.topbar a.notices")
        item = bob.locator("article.notification").first
        assert "alice_talks mentioned you" in " ".join(item.inner_text().split())
        assert unread_count(bob) == 0
        with bob.expect_navigation():
            item.locator(".content a").click()
        thread_url = bob.url
        assert bob.locator("article.message .content a.mention").inner_text() == "@bob_talks"

        # He likes it (the row's button submits the page's one form) and comes back here.
        like = bob.locator("article.message button.like").first
        assert like.inner_text().strip() == "♡ 0 likes"
        with bob.expect_navigation():
            like.click()
        assert bob.url == thread_url
        assert bob.locator("article.message button.like").first.inner_text().strip() == "♥ 1 like"

        # He answers in the reply box; the reply shows under the message.
        bob.fill(".reply-box textarea[name=content]", "Yes! Meet at the bridge at six.")
        with bob.expect_navigation():
            bob.click(".reply-box button[type=submit]")
        assert bs.messages_on_page(bob) == [
            ("alice_talks", "Anyone up for a walk by the river, @bob_talks?"),
            ("bob_talks", "Yes! Meet at the bridge at six.")]

        # Alice sees the thread with its counts, and both notifications.
        alice.goto(thread_url)
        assert "1 reply" in alice.locator("#replies").inner_text()
        bs.screenshot(alice, "thread")
        alice.goto(live_server + "/public/")
        reply_row = alice.locator("article.message", has_text="Meet at the bridge")
        assert "Replying to @alice_talks" in " ".join(reply_row.locator(".reply-to").inner_text().split())
        assert unread_count(alice) == 2
        alice.click("header.topbar a.notices")
        text = " ".join(alice.locator("section.notifications").inner_text().split())
        assert "bob_talks replied to you" in text and "bob_talks liked your message" in text
        bs.screenshot(alice, "notifications")
        alice_watch.assert_clean()
        bob_watch.assert_clean()
    finally:
        alice.context.close()
        bob.context.close()
