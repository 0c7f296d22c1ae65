"""Helpers for the back-office view tests (tests/test_admin_*.py): read a list
view's rows, run a bulk action as the "With selected" menu does, read a CSV
export. Each takes the Flask test client of the `client` fixture."""
import csv
import datetime
import io
import re

# The details link of each row of a list view; the group is the row's id.
ROW_LINK = r'class="icon" href="/admin/{view}/details/\?id=(\d+)&amp;url='
DAY = datetime.timedelta(days=1)


def listed(client, view, query=""):
    """The ids of the rows /admin/<view>/ lists for `query`, in order."""
    response = client.get(f"/admin/{view}/{query}")
    assert response.status_code == 200, query
    return [int(i) for i in re.findall(ROW_LINK.format(view=view), response.get_data(as_text=True))]


def act(client, view, action, ids, **extra):
    """Run the bulk `action` on `ids` as the "With selected" menu does; return the page after."""
    response = client.post(f"/admin/{view}/action/", follow_redirects=True,
                           data={"action": action, "rowid": [str(i) for i in ids], **extra})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def export(client, view, query=""):
    """The CSV export of /admin/<view>/ for `query`, as a list of dicts."""
    response = client.get(f"/admin/{view}/export/csv/{query}")
    assert response.status_code == 200
    assert response.is_streamed
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
