"""What every list view of the back office shares: CSV exports that follow the
search and filters and never hold a password hash, and bad input (list
arguments, filter values, ids) that never gives a 500."""
import re

import pytest

from adminapp import moderation
from adminapp.admin.compat import FlaskAdminFixes
from adminapp.models import User
from tests import admin_support as adm


# --- exports ------------------------------------------------------------------------------------
def test_exports_follow_the_search_and_filters(client, as_mod, make_user, make_message, follows):
    bob = User.get(User.username == "bob")
    make_message(bob, "export me")
    make_message(bob, "not me", hidden=True)
    rows = adm.export(client, "user", "?search=ali")
    assert [r["Username"] for r in rows] == ["alice"]
    assert list(rows[0]) == ["ID", "Username", "Email", "Role", "Status", "Suspended since",
                             "Joined", "Messages", "Strikes"]
    rows = adm.export(client, "message", "?flt0_hidden_is=0&flt1_author_equals=bob")
    assert [(r["Content"], r["Author"], r["Status"]) for r in rows] == \
        [("export me", "bob", "visible")]
    rows = adm.export(client, "relationship", "?flt0_follows_equals=carol")
    assert sorted((r["Follower"], r["Follows"]) for r in rows) == \
        [("alice", "carol"), ("bob", "carol")]
    moderation.suspend_user(as_mod, bob, "x")
    rows = adm.export(client, "auditlog", "?flt0_action_equals=suspend")
    assert [(r["Who"], r["Action"], r["Target type"]) for r in rows] == [("mod", "suspend", "user")]


def test_exports_never_contain_password_hashes(client, as_admin, make_user):
    make_user("alice")
    hashes = [u.password_hash for u in User.select()]
    for view in ("user", "message", "relationship", "report", "auditlog"):
        text = client.get(f"/admin/{view}/export/csv/").get_data(as_text=True)
        assert not any(h in text for h in hashes) and "scrypt" not in text, view


# --- bad input --------------------------------------------------------------------------------
BAD_QUERIES = ["?sort=99", "?sort=-1", "?sort=abc", "?sort=2&desc=abc", "?page=abc", "?page=-1",
               "?page=99999999999999999999999", "?page_size=99999", "?page_size=-5",
               "?search=%25%27%22%5C", "?flt0_nonsense=1", "?flt_=1", "?flt99999999999_x=1"]
VIEWS = ("user", "message", "relationship", "report", "auditlog")


@pytest.mark.parametrize("view", VIEWS)
def test_bad_list_arguments_never_give_a_500(client, as_admin, view, make_user, make_message):
    make_message(make_user("alice"))
    for query in BAD_QUERIES:
        assert client.get(f"/admin/{view}/{query}").status_code == 200, query
        assert client.get(f"/admin/{view}/export/csv/{query}").status_code == 200, query
    for sort in range(8):   # every listed column: sortable, or ignored without error
        assert client.get(f"/admin/{view}/?sort={sort}&desc=1").status_code == 200, sort


@pytest.mark.parametrize("view", VIEWS)
def test_garbage_filter_values_are_refused_politely(app, client, as_admin, view):
    admin_view = next(v for v in app.extensions["admin"][0]._views
                      if getattr(v, "endpoint", None) == view)
    for key in admin_view._filter_args:
        for value in ("garbage", "", "99999999999999999999999", "2024-13-45 99:99:99", "1 to 2"):
            response = client.get(f"/admin/{view}/", query_string={f"flt0_{key}": value})
            assert response.status_code == 200, (key, value)


@pytest.mark.parametrize("view", VIEWS)
def test_garbage_ids_never_give_a_500(client, as_admin, view):
    for pk in ("abc", "999999", "99999999999999999999999", "-1", "", "1.5"):
        response = client.get(f"/admin/{view}/details/", query_string={"id": pk})
        assert response.status_code == 302, pk       # back to the list, "Record does not exist"
        response = client.post(f"/admin/{view}/action/", data={"action": "x", "rowid": pk})
        assert response.status_code == 302, pk
    for action in ("suspend", "hide", "remove", "dismiss", "delete", "delete_message"):
        response = client.post(f"/admin/{view}/action/",
                               data={"action": action, "rowid": ["abc", "99999999999999999999"]})
        assert response.status_code == 302, action


LIST_QUERIES = ["", "?page=3", "?sort=1&desc=1", "?search=a b&c/d?é", "?page_size=50",
                "?flt0_hidden_is=1&flt1_author_equals=x y&page=2", "?sort=0&search=%25&page=1"]


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_list_links_are_the_ones_flask_admin_writes(app, query):
    """The list's pager, sort and page-size links (compat._get_list_url, built without
    url_for) are byte for byte the URLs Flask-Admin's own builder gives."""
    view = next(v for v in app.extensions["admin"][0]._views
                if getattr(v, "endpoint", None) == "message")
    with app.test_request_context(f"/admin/message/{query}"):
        args = view._get_list_extra_args()
        for variant in (args, args.clone(page=None), args.clone(page=7), args.clone(sort=2),
                        args.clone(sort_desc=1), args.clone(page_size=100),
                        args.clone(search=None, filters=None)):
            ours = view._get_list_url(variant)
            assert ours == super(FlaskAdminFixes, view)._get_list_url(variant)
            assert ours.startswith("/admin/message/")


def test_a_missing_record_says_so(client, as_mod):
    page = client.get("/admin/message/details/?id=424242", follow_redirects=True)
    assert "Record does not exist." in page.get_data(as_text=True)


def test_each_page_of_a_list_holds_its_own_rows(client, as_mod, make_user, make_message):
    """A list's SQL is kept per shape: every page, back and forth, still reads its rows."""
    author = make_user("pager")
    ids = [make_message(author, f"message {n}").id for n in range(25)]
    seen = []
    for page in (0, 1, 2, 1, 0):
        html = client.get(f"/admin/message/?page={page}&page_size=10&sort=0").get_data(as_text=True)
        seen.append([int(pk) for pk in re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', html)])
    assert seen[0] + seen[1] + seen[2] == sorted(ids)
    assert seen[3] == seen[1] and seen[4] == seen[0]
