"""Helpers for the back-office browser tests (tests/test_admin_browser.py).

Built on tests/server_support.py (LiveServer) and tests/browser_support.py
(PageWatch, screenshot...): a live server whose database is seeded with
seed_data.py, logging in through /login/, reading a Chart.js canvas, and
running a Flask-Admin bulk action the way a moderator does (row checkbox,
"With selected", confirm).
"""
import subprocess
import sys

from tests import browser_support as bs
from tests import server_support as ss

DEMO_PASSWORD = "tweepee-demo"  # seed_data.py's password for admin, moderator and demo
SEED_ARGS = ["--users", "30", "--messages", "300", "--seed", "7", "--reset", "--quiet"]


class SeededLiveServer(ss.LiveServer):
    """The app under gunicorn with a small demo site: seed_data.py's accounts
    (admin, moderator, demo), messages, follows and some open reports."""

    def migrate(self):
        super().migrate()
        result = subprocess.run([sys.executable, "seed_data.py", *SEED_ARGS,
                                 "--database", self.env["DATABASE_URL"]],
                                cwd=ss.REPO_ROOT, env=self.env, capture_output=True, text=True,
                                timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"seed_data.py failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")


def login(page, base_url, username, password=DEMO_PASSWORD):
    """Log in through /login/ like a person; the browser ends on the home page."""
    page.goto(base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    bs.submit_form_of(page, "input[name=username]")
    if bs.nav_username(page) != username:
        raise AssertionError(f"login as {username} failed: now on {page.url}")


# JavaScript: how much of a Chart.js canvas is painted, and the alpha at points
# inside the plot area (a fraction of the way across and down the chart area).
CANVAS_PAINT_JS = """
([canvas, points]) => {
  const chart = window.Chart && Chart.getChart(canvas);
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
  const ratio = chart ? chart.currentDevicePixelRatio : window.devicePixelRatio;
  const area = chart ? chart.chartArea
                     : {left: 0, top: 0, right: canvas.width, bottom: canvas.height};
  const alphas = points.map(([fx, fy]) => {
    const x = Math.round((area.left + fx * (area.right - area.left)) * ratio);
    const y = Math.round((area.top + fy * (area.bottom - area.top)) * ratio);
    return ctx.getImageData(x, y, 1, 1).data[3];
  });
  return {hasChart: !!chart, width: canvas.width, height: canvas.height,
          painted: painted, alphas: alphas,
          datasets: chart ? chart.data.datasets.map(d => d.label) : [],
          legend: chart ? chart.options.plugins.legend.display !== false : false,
          axisTitles: chart ? Object.values(chart.options.scales)
            .filter(s => s.title && s.title.display).map(s => s.title.text) : []};
}
"""


def canvas_paint(page, selector, points):
    """{hasChart, width, height, painted, alphas, datasets, legend, axisTitles} for the
    canvas at `selector`."""
    canvas = page.locator(selector).element_handle()
    return page.evaluate(CANVAS_PAINT_JS, [canvas, points])


def blank_canvas_paint(page, width, height):
    """Painted pixels of a fresh canvas of the same size: the baseline (0)."""
    return page.evaluate("""([w, h]) => {
      const c = document.createElement('canvas'); c.width = w; c.height = h;
      const d = c.getContext('2d').getImageData(0, 0, w, h).data;
      let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""",
                         [width, height])


def row_of(page, pk):
    """The list-view table row whose action checkbox has the value `pk`."""
    return page.locator("table.model-list tbody tr",
                        has=page.locator(f'input.action-checkbox[value="{pk}"]'))


def run_bulk_action(page, pks, label):
    """Tick the rows `pks`, choose `label` under "With selected", accept the confirmation;
    returns the confirmation text. Waits for the page the action redirects to."""
    for pk in pks:
        page.check(f'input.action-checkbox[value="{pk}"]')
    page.get_by_role("button", name="With selected").or_(
        page.locator("a.dropdown-toggle", has_text="With selected")).first.click()
    item = page.locator(".dropdown-menu a.dropdown-item", has_text=label).first
    item.wait_for(state="visible")
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        item.click()
    return asked[0] if asked else None


def flashes(page):
    """The texts of the flashed messages (Bootstrap alerts) on the page."""
    return [text.strip() for text in page.locator(".alert").all_inner_texts()]


def kpi(page, key):
    """The number a dashboard KPI card shows, as an int (read from its data-value)."""
    return int(page.locator(f'[data-kpi="{key}"]').get_attribute("data-value"))
