"""CSV exports cannot attack the moderator who opens them in a spreadsheet: a cell that
would run as a formula starts with a quote (OWASP's CSV-injection rule), in every export."""
import csv
import io

import pytest

from adminapp import moderation
from adminapp.models import Report, User

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)",
            "\tTAB", "\rCR"]


def export(client, view):
    response = client.get(f"/admin/{view}/export/csv/")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def world(app, auth, make_user, make_message):
    """A message, an email, a report note, a moderation reason: each a formula."""
    admin = make_user("root", role="admin")
    for n, formula in enumerate(FORMULAS):
        author = make_user(f"author{n}", email=f"x{n}@example.com")
        User.update(email=formula).where(User.id == author.id).execute()
        message = make_message(author, formula)
        Report.create(reporter=admin, message=message, category="spam", note=formula)
        moderation.hide_message(admin, message, reason=formula)
        author.follow(admin)
    auth.login("root")


@pytest.mark.parametrize("view", ["user", "message", "report", "auditlog", "relationship"])
def test_no_exported_cell_starts_like_a_formula(client, world, view):
    cells = [cell for row in export(client, view)[1:] for cell in row]
    assert cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_the_values_are_kept_behind_the_quote(client, world):
    contents = {row[3] for row in export(client, "message")[1:]}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in contents
    notes = {cell for row in export(client, "report")[1:] for cell in row}
    assert "'@SUM(A1)" in notes
