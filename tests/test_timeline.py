"""Timelines: contents and order, keyset paging, query counts, escaping."""
import datetime
import re
import random

import pytest

from adminapp.models import Message, Relationship, utcnow

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')
MESSAGE_LINK = re.compile(r'href="/messages/(\d+)/"')


def ids_on(response):
    return [int(i) for i in MESSAGE_LINK.findall(response.get_data(as_text=True))]


def html_unescape_href(href):
    return href.replace("&amp;", "&")


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol", "dave")}


def post_many(make_message, authors, n, start=None, rng=None):
    """n messages by random authors, one minute apart (some sharing a timestamp)."""
    rng = rng or random.Random(7)
    start = start or utcnow() - datetime.timedelta(days=1)
    return [make_message(rng.choice(authors), f"message {i}",
                         pub_date=start + datetime.timedelta(minutes=i // 2))
            for i in range(n)]


def expected_order(messages):
    return [m.id for m in sorted(messages, key=lambda m: (m.pub_date, m.id), reverse=True)]


def test_private_timeline_matches_a_model_of_follows(client, auth, people, make_message):
    alice, bob, carol, dave = people.values()
    alice.follow(bob)
    alice.follow(carol)
    carol.follow(dave)
    messages = post_many(make_message, list(people.values()), 18)
    hidden = make_message(bob, "hidden one", hidden=True)
    auth.login("alice")
    visible_to_alice = [m for m in messages if m.user.username in ("alice", "bob", "carol")]
    assert ids_on(client.get("/private/")) == expected_order(visible_to_alice)
    assert hidden.id not in ids_on(client.get("/"))


def test_public_timeline_shows_everyone_newest_first(client, people, make_message):
    messages = post_many(make_message, list(people.values()), 15)
    assert ids_on(client.get("/public/")) == expected_order(messages)
    assert ids_on(client.get("/")) == expected_order(messages)  # anonymous home is public


def test_hidden_messages_and_suspended_authors_leave_public_pages(client, people, make_message):
    alice, bob = people["alice"], people["bob"]
    kept = make_message(alice, "kept")
    hidden = make_message(alice, "hidden", hidden=True)
    by_suspended = make_message(bob, "by bob")
    bob.suspended_at = utcnow()
    bob.save()
    for url in ("/public/", "/users/alice/", "/users/bob/"):
        shown = ids_on(client.get(url))
        assert hidden.id not in shown and by_suspended.id not in shown
    assert kept.id in ids_on(client.get("/public/"))
    assert client.get(f"/messages/{hidden.id}/").status_code == 404
    assert client.get(f"/messages/{by_suspended.id}/").status_code == 404
    assert "bob" not in client.get("/users/").get_data(as_text=True)
    bob.suspended_at = None  # restoring brings everything back
    bob.save()
    assert by_suspended.id in ids_on(client.get("/public/"))


@pytest.mark.parametrize("url", ["/public/", "/private/", "/users/alice/"])
def test_walking_rel_next_gives_each_message_once(client, auth, people, make_message, url):
    alice = people["alice"]
    messages = post_many(make_message, [alice], 45)
    auth.login("alice")
    seen, pages, response = [], 0, client.get(url)
    while True:
        pages += 1
        seen += ids_on(response)
        link = NEXT.search(response.get_data(as_text=True))
        if not link:
            break
        response = client.get(html_unescape_href(link.group(1)))
        assert response.status_code == 200
    assert pages == 3
    assert seen == expected_order(messages)


def test_walking_rel_prev_back_gives_the_same_pages(client, people, make_message):
    post_many(make_message, [people["alice"]], 45)
    first = client.get("/public/")
    second = client.get(html_unescape_href(NEXT.search(first.get_data(as_text=True)).group(1)))
    third = client.get(html_unescape_href(NEXT.search(second.get_data(as_text=True)).group(1)))
    back = client.get(html_unescape_href(PREV.search(third.get_data(as_text=True)).group(1)))
    assert ids_on(back) == ids_on(second)
    back_again = client.get(html_unescape_href(PREV.search(back.get_data(as_text=True)).group(1)))
    assert ids_on(back_again) == ids_on(first)
    assert not PREV.search(first.get_data(as_text=True))
    assert not PREV.search(back_again.get_data(as_text=True))
    assert 'rel="next"' in back_again.get_data(as_text=True)


def test_exactly_one_page_has_no_pager(client, people, make_message):
    post_many(make_message, [people["alice"]], 20)
    html = client.get("/public/").get_data(as_text=True)
    assert 'rel="next"' not in html and 'rel="prev"' not in html


@pytest.mark.parametrize("url, logged_in", [
    ("/public/", False), ("/public/", True), ("/", True), ("/private/", True),
    ("/users/alice/", False), ("/users/alice/", True),
    ("/users/", True), ("/users/alice/followers/", True), ("/following/", True),
])
def test_query_count_is_constant_whatever_the_page_length(client, auth, people, make_message,
                                                          make_user, count_queries, url, logged_in):
    alice = people["alice"]
    for other in ("bob", "carol", "dave"):
        alice.follow(people[other])
        people[other].follow(alice)
    if logged_in:
        auth.login("alice")
    counts = []
    for total in (5, 20, 50):
        post_many(make_message, list(people.values()), total - Message.select().count())
        for _ in range(total // 5):
            make_user()
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.n)
    assert counts[0] == counts[1] == counts[2], counts
    assert 1 <= counts[0] <= 4, counts


def test_message_content_is_escaped_and_links_are_safe(client, people, make_message):
    make_message(people["alice"], '<script>alert("x")</script> see https://example.org/a?b=1&c=2 '
                                  'and javascript:alert(1)')
    html = client.get("/public/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert 'href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer"' in html
    assert 'href="javascript:' not in html


def test_legacy_usernames_are_escaped(client, make_message):
    from adminapp.models import User
    # a name the site would refuse, as a peewee example database may hold
    user = User.create(username='<b onmouseover="x">', email="x@example.com", password_hash="!")
    make_message(user, "hi")
    html = client.get("/public/").get_data(as_text=True)
    assert '<b onmouseover' not in html
    assert "&lt;b onmouseover=&#34;x&#34;&gt;" in html


def test_relative_time_with_exact_time_on_hover(client, people, make_message):
    make_message(people["alice"], "old", pub_date=utcnow() - datetime.timedelta(minutes=3))
    html = client.get("/public/").get_data(as_text=True)
    assert re.search(r'<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">3 min ago</time>', html)


def test_follow_and_unfollow_are_idempotent(client, auth, people):
    alice = people["alice"]
    auth.login("alice")
    for _ in range(2):
        assert client.post("/users/bob/follow/").status_code == 302
    assert Relationship.select().where(Relationship.from_user == alice).count() == 1
    assert "<strong>1</strong> follower" in client.get("/users/bob/").get_data(as_text=True)
    assert "Unfollow" in client.get("/users/bob/").get_data(as_text=True)
    for _ in range(2):
        assert client.post("/users/BOB/unfollow/").status_code == 302
    assert Relationship.select().count() == 0
    assert client.post("/users/nobody/follow/").status_code == 404


def test_follow_redirects_to_a_same_site_next(client, auth, people):
    auth.login("alice")
    response = client.post("/users/bob/follow/?next=/users/", data={})
    assert response.headers["Location"] == "/users/"
    response = client.post("/users/carol/follow/?next=https://evil.example/")
    assert response.headers["Location"] == "/users/carol/"


def test_profile_counts(client, people, make_message):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    bob.follow(alice)
    carol.follow(alice)
    alice.follow(bob)
    make_message(alice, "one")
    make_message(alice, "two")
    make_message(alice, "gone", hidden=True)
    html = client.get("/users/alice/").get_data(as_text=True)
    assert "<strong>2</strong> followers" in html
    assert "<strong>1</strong> following" in html
    assert "<strong>1</strong> follower<" not in html
    assert "<strong>2</strong> messages" in html


def test_followers_and_following_lists(client, auth, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    bob.follow(alice)
    carol.follow(alice)
    alice.follow(carol)
    followers = client.get("/users/alice/followers/").get_data(as_text=True)
    assert "/users/bob/" in followers and "/users/carol/" in followers
    following = client.get("/users/alice/following/").get_data(as_text=True)
    assert "/users/carol/" in following and "/users/bob/" not in following
    auth.login("alice")
    assert "/users/carol/" in client.get("/following/").get_data(as_text=True)
    assert "/users/bob/" in client.get("/followers/").get_data(as_text=True)


def test_user_directory_pages_through_everyone_once(client, make_user):
    names = sorted(f"person{i:02d}" for i in range(65))
    for name in names:
        make_user(name)
    seen, response = [], client.get("/users/")
    while True:
        seen += re.findall(r'<strong>(person\d\d)</strong>', response.get_data(as_text=True))
        link = NEXT.search(response.get_data(as_text=True))
        if not link:
            break
        response = client.get(html_unescape_href(link.group(1)))
    assert seen == names


def test_pages_of_ascii_messages_are_ascii(client, auth, people, make_message):
    """The templates write their glyphs (arrows, hearts, the ellipsis of an excerpt) as
    entities: one character past Latin-1 makes Python hold the whole page two bytes a
    character and encode it in a loop."""
    alice, bob = people["alice"], people["bob"]
    alice.follow(bob)
    messages = post_many(make_message, [alice, bob], 45)
    long = make_message(bob, "a message long enough for the page title to cut it short " * 2)
    alice.like(long)
    bob.follow(alice)  # a notification for alice
    auth.login("alice")
    for url in ("/", "/public/", "/public/?before=" + NEXT.search(
            client.get("/public/").get_data(as_text=True)).group(1).split("before=")[1],
                f"/users/bob/", f"/messages/{long.id}/", f"/messages/{messages[0].id}/",
                "/notifications/", "/users/bob/followers/"):
        html = client.get(url).get_data(as_text=True)
        assert html.isascii(), (url, sorted({c for c in html if not c.isascii()}))
    assert "&hearts; 1 like" in client.get(f"/messages/{long.id}/").get_data(as_text=True)
