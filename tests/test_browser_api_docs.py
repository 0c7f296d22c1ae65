"""/api/v1/docs in headless Chromium: Swagger UI from the site's own files renders the
API's operations, under the site's Content-Security-Policy, asking no other host."""
import pytest

from tests import browser_support as bs
from tests import server_support as ss


@pytest.fixture(scope="module")
def docs_server(browser, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("api-docs")
    env = ss.server_env(f"sqlite:///{workdir / 'e2e.db'}")
    with ss.LiveServer(workdir, env=env) as server:
        yield server.url


def test_the_docs_page_renders_every_operation_offline(browser, docs_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = bs.PageWatch(page, "api docs")
    try:
        page.goto(docs_server + "/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/timelines/public" in p for p in paths), paths
        assert watch.loaded("/api/v1/openapi.json")
        bs.screenshot(page, "api-docs")
        watch.assert_clean()
    finally:
        context.close()
