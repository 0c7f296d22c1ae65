"""Helpers for the end-to-end browser tests (tests/test_browser.py, tests/test_admin_browser.py).

Nothing here imports Playwright at module level, so the test module can be
collected (and skipped with a reason) on machines without it. The server
they drive is tests/server_support.py's `LiveServer`.

- `find_browser()` says whether Chromium and Playwright are usable, and why not;
- `PageWatch` records console errors and every URL a page requests;
- the `join`, `post_message`, `messages_on_page`... functions drive the site.
"""
import importlib
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from bench.servers import HOST as LOOPBACK

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

# Debian's chromium; Playwright's own browser download does not work here.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Optional override of the browser binary. Pointing it at a missing file
# simulates a machine without Chromium (the test then skips, or fails under
# REQUIRE_BROWSER=1).
CHROMIUM_ENV = "TWEEPEE_CHROMIUM"
# Headless as root, and no start-up traffic to the internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


# --- is there a browser? ------------------------------------------------------------
def find_browser():
    """Return (chromium_path, None) when a browser test can run, else (None, reason)."""
    try:
        importlib.import_module("playwright.sync_api")
    except ImportError as e:
        return None, f"the playwright package is not installed ({e})"
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK):
            return override, None
        return None, f"no Chromium at {override} (from ${CHROMIUM_ENV})"
    if os.path.isfile(DEFAULT_CHROMIUM) and os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM, None
    found = shutil.which("chromium")
    if found:
        return found, None
    return None, f"no Chromium: {DEFAULT_CHROMIUM} is missing and `chromium` is not on PATH"


def browser_required():
    """True when REQUIRE_BROWSER=1: a missing browser is then a failure, not a skip."""
    return os.environ.get("REQUIRE_BROWSER", "").strip() == "1"


# --- watching a page ----------------------------------------------------------------
class PageWatch:
    """Record a page's console errors, uncaught exceptions and requested URLs."""

    def __init__(self, page, label):
        self.label = label
        self.console_errors = []
        self.requests = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("request", lambda request: self.requests.append(request.url))

    def _on_console(self, message):
        """Keep console errors, except failed loads of resources on other hosts.

        Those are reported by `external_requests()` instead.
        """
        if message.type != "error":
            return
        source = (message.location or {}).get("url") or ""
        if message.text.startswith("Failed to load resource") and not is_loopback(source):
            return
        self.console_errors.append(f"{message.text} (at {source or '?'})")

    def forget_failed_load(self, url):
        """Drop the console error Chromium logs when `url` itself answers 4xx/5xx."""
        self.console_errors = [e for e in self.console_errors
                               if not (e.startswith("Failed to load resource") and f"(at {url})" in e)]

    def loaded(self, path):
        """True when the page requested `path` from the app (proves the recorder sees requests)."""
        return any(is_loopback(url) and urlsplit(url).path == path for url in self.requests)

    def external_requests(self):
        """URLs requested from a host other than 127.0.0.1 (data: and blob: are local)."""
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob", "about") and not is_loopback(url)]

    def assert_clean(self):
        """Fail when the page logged errors or loaded anything from another host."""
        assert not self.console_errors, f"{self.label}: console errors: {self.console_errors}"
        external = self.external_requests()
        assert not external, f"{self.label}: requests to other hosts: {external}"


def is_loopback(url):
    """True when `url` points at 127.0.0.1."""
    return urlsplit(url).hostname == LOOPBACK


# --- driving the site ---------------------------------------------------------------
def screenshot(page, name):
    """Save a full-page screenshot as tests/artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_join_form(page, base_url, username, password):
    """Open /join/ and fill in username, email and password (not submitted)."""
    page.goto(base_url + "/join/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.org")
    page.fill("input[name=password]", password)


def submit_form_of(page, field_selector):
    """Click the submit button of the form that holds `field_selector`; wait for the page."""
    form = page.locator("form", has=page.locator(field_selector))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def join(page, base_url, username, password):
    """Create an account through /join/; the browser ends up logged in, on the home page."""
    fill_join_form(page, base_url, username, password)
    submit_form_of(page, "input[name=username]")


def post_message(page, text):
    """Post `text` through the post box of the current timeline page."""
    page.fill("textarea[name=content]", text)
    with page.expect_navigation():
        page.get_by_role("button", name="Post", exact=True).click()


def messages_on_page(page):
    """The (author, content) pairs of the messages on the page, top to bottom."""
    return [(article.locator(".author").inner_text().strip(),
             article.locator(".content").inner_text().strip())
            for article in page.locator("article.message").all()]


def nav_username(page):
    """The username shown in the navigation bar (the logged-in user), or None."""
    me = page.locator("header.topbar a.me")
    return me.inner_text().strip() if me.count() else None


def profile_count(page, which):
    """The number shown before `which` ('followers', 'following', 'messages') on a profile."""
    return int(page.locator(f".profile .count-{which} strong").inner_text().strip())


def horizontal_overflow(page):
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
