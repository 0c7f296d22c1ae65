"""With GRAVATAR=1 and gravatar.com out of reach (an offline demo, a strict network),
avatars show their initials, never a broken-image icon, and the page obeys its
Content-Security-Policy (headless Chromium)."""
import pytest

from tests import browser_support as bs
from tests import server_support as ss

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def gravatar_server(browser, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("avatars")
    env = ss.server_env(f"sqlite:///{workdir / 'e2e.db'}", GRAVATAR="1")
    with ss.LiveServer(workdir, env=env) as server:
        yield server.url


def test_a_failed_gravatar_leaves_the_initials(browser, gravatar_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    watch = bs.PageWatch(page, "avatars")
    # gravatar.com cannot be reached: every request to it fails at once
    page.route("https://www.gravatar.com/**", lambda route: route.abort())
    try:
        bs.join(page, gravatar_server, "avatar_e2e", PASSWORD)
        bs.post_message(page, "Do I have a face?")
        page.goto(gravatar_server + "/public/")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("document.querySelectorAll('.avatar img').length === 0")
        avatars = page.locator(".message .avatar")
        assert avatars.count() >= 1
        assert avatars.first.inner_text().strip() == "A"          # the initials, alone
        bs.screenshot(page, "avatars-offline")
        policy = [e for e in watch.console_errors if "Content Security Policy" in e]
        assert not policy, policy
        assert any("gravatar.com" in url for url in watch.external_requests())  # it was tried
    finally:
        context.close()
