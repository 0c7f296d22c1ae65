"""Search and hashtags: the full-text index stays true to the messages, /search/ finds
what the public may read with the words marked safely, junk never breaks it, /tags/<tag>/
lists a tag in any case; on SQLite and PostgreSQL."""
import re

import pytest

from adminapp import db, moderation, search
from adminapp.db import database
from adminapp.models import Message, MessageTag, User
from tests.test_migrations import example_db  # noqa: F401 (a fixture)

CONTENT = re.compile(r'<p class="content">(.*?)</p>', re.S)


def contents(response):
    assert response.status_code == 200
    return CONTENT.findall(response.get_data(as_text=True))


def found(text):
    """The contents of the messages Message.search(text) finds, newest first."""
    return [m.content for m in Message.search(text).order_by(Message.id.desc())]


def assert_index_is_true():
    """The index holds exactly what the table holds."""
    if db.is_sqlite():
        search.integrity_check()  # raises on any difference
        return
    wrong = database.execute_sql(
        f"SELECT count(*) FROM message WHERE {search.PG_COLUMN} IS DISTINCT FROM "
        f"{search.PG_VECTOR}").fetchone()[0]
    assert wrong == 0


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def test_index_follows_inserts_hides_edits_and_deletes(app, alice, staff, make_message):
    first = alice.post("The quick brown fox")
    second = make_message(alice, "A lazy brown dog")  # a writer that is not the site's
    assert found("brown") == ["A lazy brown dog", "The quick brown fox"]
    assert_index_is_true()
    moderation.hide_message(staff.moderator, first, "spam")
    assert found("fox") == ["The quick brown fox"]  # hiding keeps it in the index...
    assert_index_is_true()
    Message.update(content="A sleepy cat").where(Message.id == second.id).execute()
    assert found("dog") == [] and found("cat") == ["A sleepy cat"]
    assert_index_is_true()
    alice.delete_message(Message.get_by_id(second.id))
    moderation.delete_message(staff.admin, Message.get_by_id(first.id), "gone")
    assert found("cat") == [] and found("fox") == [] and found("brown") == []
    assert_index_is_true()


def test_search_shows_what_the_public_may_read(client, auth, alice, make_user, staff):
    bob, carol = make_user("bob"), make_user("carol")
    alice.post("sunrise over the bay")
    hidden = bob.post("sunrise spam")
    carol.post("sunrise at the cabin")
    moderation.hide_message(staff.moderator, hidden, "spam")
    assert contents(client.get("/search/?q=sunrise")) == [
        '<mark>sunrise</mark> at the cabin', '<mark>sunrise</mark> over the bay']
    moderation.suspend_user(staff.moderator, carol, "spam")
    assert contents(client.get("/search/?q=SUNRISE")) == ['<mark>sunrise</mark> over the bay']
    # a block hides each from the other
    make_user("dave").block(alice)
    auth.login("dave")
    assert contents(client.get("/search/?q=sunrise")) == []


def test_every_word_must_match(client, alice):
    alice.post("red apples and green pears")
    alice.post("red cars")
    assert len(contents(client.get("/search/?q=red"))) == 2
    assert contents(client.get("/search/?q=red+pears")) == [
        "<mark>red</mark> apples and green <mark>pears</mark>"]
    assert contents(client.get("/search/?q=red+bananas")) == []


def test_marks_are_put_on_escaped_text_only(client, alice):
    alice.post('<script>alert("lt")</script> x < y & lt amp mark')
    html = contents(client.get("/search/?q=script+lt+amp+mark"))[0]
    assert "<script" not in html and "</script" not in html
    assert html == ('&lt;<mark>script</mark>&gt;alert(&#34;<mark>lt</mark>&#34;)&lt;/'
                    '<mark>script</mark>&gt; x &lt; y &amp; <mark>lt</mark> <mark>amp</mark> '
                    '<mark>mark</mark>')


@pytest.mark.parametrize("query", [
    '"', '""', '"unterminated', "-", "-x", "*", "a*", "NEAR(", "NEAR(a b)", "a AND", "OR",
    "(", ")", "^", ":", "content:x", "a:b", "'; DROP TABLE message; --", "%", "_", "\\",
    "😀", "ünïcödé", "日本語", "x" * 1000, "a " * 500, " ", "", "\u200b", "#", "@", "@@",
])
def test_junk_queries_get_a_page_never_an_error(client, alice, query):
    alice.post("ünïcödé 日本語 plain text")
    response = client.get("/search/", query_string={"q": query})
    assert response.status_code == 200
    assert Message.search(query).count() >= 0  # the model method takes anything too


def test_no_words_say_so_without_a_query(client, count_queries):
    with count_queries() as q:
        html = client.get("/search/?q=%22%2A-").get_data(as_text=True)
    assert "Nothing to look for" in html and q.n == 0
    assert "Type a few words" in client.get("/search/").get_data(as_text=True)


def test_unicode_words_are_found_in_any_case(client, alice):
    alice.post("Über café in Zürich")
    assert contents(client.get("/search/?q=%C3%BCBER"))[0].startswith("<mark>Über</mark>")
    assert len(contents(client.get("/search/?q=z%C3%BCrich"))) == 1


def test_people_whose_name_starts_with_the_text(client, make_user):
    for name in ("Annabel", "anna_k", "bob", "annie"):
        make_user(name)
    make_user("annoyed", suspended=True)
    html = client.get("/search/?q=ANN").get_data(as_text=True)
    assert re.findall(r"<strong>(\w+)</strong>", html) == ["anna_k", "Annabel", "annie"]
    html = client.get("/search/?q=@anna_").get_data(as_text=True)
    assert re.findall(r"<strong>(\w+)</strong>", html) == ["anna_k"]
    # "_" and "%" are letters of a name here, not patterns
    assert "<strong>" not in client.get("/search/?q=%25").get_data(as_text=True)
    assert "<strong>" not in client.get("/search/?q=a_b").get_data(as_text=True)


def test_results_page_by_keyset_newest_first(app, client, alice):
    per_page = app.config["MESSAGES_PER_PAGE"]
    total = per_page + 5
    for n in range(total):
        alice.post(f"needle number {n}")
    alice.post("haystack")
    first = client.get("/search/?q=needle").get_data(as_text=True)
    rows = CONTENT.findall(first)
    assert len(rows) == per_page and rows[0] == f"<mark>needle</mark> number {total - 1}"
    link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "q=needle" in link and "before=" in link
    second = contents(client.get(link))
    assert len(second) == 5 and second[-1] == "<mark>needle</mark> number 0"
    assert client.get("/search/?q=needle&before=abc").status_code == 400


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_search_page_is_at_most_four_queries(client, auth, alice, make_user, count_queries,
                                               logged_in):
    if logged_in:
        auth.login("alice")
    counts = []
    for total in (3, 30):
        while Message.select().count() < total:
            make_user().post("common words #common here")
        with count_queries() as q:
            assert client.get("/search/?q=common").status_code == 200
        counts.append(q.n)
        with count_queries() as q:
            assert client.get("/tags/COMMON/").status_code == 200
        counts.append(q.n)
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert max(counts) <= 4, counts


def test_tags_are_stored_at_posting_in_any_case_and_script(alice):
    message = alice.post("#Python and #CAFÉ, #python again, C# is not, x.org/#frag "
                         "neither, #1 neither, (#Zürich)")
    stored = sorted(t.tag for t in MessageTag.select().where(MessageTag.message == message.id))
    assert stored == ["café", "python", "zürich"]
    assert [m.id for m in Message.tagged("PYTHON")] == [message.id]
    alice.delete_message(message)
    assert MessageTag.select().count() == 0


def test_tag_page_lists_visible_messages_in_any_case(client, alice, make_user, staff):
    alice.post("first #Café")
    hidden = alice.post("second #café")
    make_user("bob").post("other #tea")
    moderation.hide_message(staff.moderator, hidden, "spam")
    for url in ("/tags/caf%C3%A9/", "/tags/CAF%C3%89/"):
        rows = contents(client.get(url))
        assert rows == ['first <a class="tag" href="/tags/caf%C3%A9/">#Café</a>']
    assert contents(client.get("/tags/nothing/")) == []
    assert client.get("/tags/%3Cscript%3E/").status_code == 404
    assert client.get("/tags/123/").status_code == 404


def test_tag_links_in_rows_and_kept_rows_stay_right(client, alice):
    alice.post("go #Team https://example.org/a#frag @alice")
    html = contents(client.get("/public/"))[0]
    assert '<a class="tag" href="/tags/team/">#Team</a>' in html
    assert 'href="https://example.org/a#frag"' in html and "/tags/frag/" not in html
    # the search page's marked row is not the kept plain row, and the other way round
    assert "<mark>" in contents(client.get("/search/?q=team"))[0]
    assert "<mark>" not in contents(client.get("/public/"))[0]


def test_nav_has_a_search_box(client):
    html = client.get("/public/").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/search/"[^>]*role="search"', html)
    assert 'name="q"' in html


# --- the seed -------------------------------------------------------------------------------
def test_seeded_data_is_indexed_and_tagged_as_the_site_would(tmp_path):
    from collections import Counter

    from adminapp.formatting import tags_in
    from tests.test_seed import run, use

    path = tmp_path / "seeded.db"
    assert run(path, users=30, messages=2000) == 0
    assert run(path, "--reset", users=30, messages=2000) == 0  # a reset keeps it true too
    use(path)
    with database.connection_context():
        search.integrity_check()
        first = Message.get_by_id(1)
        assert first.id in [m.id for m in Message.search(search.terms(first.content)[0])]
        assert {(t.tag, t.message_id) for t in MessageTag.select()} == {
            (tag, m.id) for m in Message.select() for tag in tags_in(m.content)}
        spread = Counter(t.tag for t in MessageTag.select()).most_common()
        assert len(spread) > 20 and spread[0][1] > 5 * spread[len(spread) // 2][1]  # Zipf-like
        # the triggers are back: a new message is indexed
        user = User.select().first()
        user.post("zebracorn #Fresh")
        assert [m.content for m in Message.search("zebracorn")] == ["zebracorn #Fresh"]
        search.integrity_check()


def fts_segments():
    """How many b-trees (segments) message_fts's index is in: the second varint of its
    structure record (row 10 of message_fts_data), after a 4-byte cookie."""
    record = database.execute_sql(f"SELECT block FROM {search.FTS_TABLE}_data WHERE id = 10"
                                  ).fetchone()[0]
    assert record[4] < 0x80 and record[5] < 0x80  # one-byte varints: levels, segments
    return record[5]


def test_bulk_changes_leave_the_index_in_one_b_tree(make_app):
    """SQLite: each transaction adds a segment that a query must read (the seed's
    'rebuild' of 1,000,000 messages left 9: a common word cost 16% more than at 50,000);
    the end of a bulk change (seed, migrations) merges them."""
    with make_app().app_context():
        alice = User.create_account("alice", "alice@example.com", "password123")
        for n in range(3):
            alice.post(f"message number {n}")
        assert fts_segments() == 3
        db.refresh_statistics()
        assert fts_segments() == 1
        assert found("number") == [f"message number {n}" for n in (2, 1, 0)]
        search.integrity_check()


# --- migration 0013 on a database with messages ------------------------------------------------
def test_migration_indexes_and_tags_the_messages_already_there(example_db, capsys):
    import sqlite3

    from tests.test_migrations import make_app

    con = sqlite3.connect(example_db)
    con.execute("INSERT INTO message VALUES (3, 1, 'old news about #Gardening and tomatoes', "
                "'2020-05-01 15:00:00')")
    con.commit()
    con.close()
    make_app(example_db)
    assert "0013_search" in db.migrate()
    assert "0013_search: full-text index built in" in capsys.readouterr().out
    search.integrity_check()
    assert found("tomatoes") == ["old news about #Gardening and tomatoes"]
    assert found("huey") == ["first post from huey"]
    assert [(t.tag, t.message_id) for t in MessageTag.select()] == [("gardening", 3)]
