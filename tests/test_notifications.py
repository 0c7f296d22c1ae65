"""Mentions and notifications: who is told what, the unread count, the page."""
import datetime
import re

import pytest

from adminapp import moderation
from adminapp.models import AuditLog, Message, Notification, Report, User, UserStats, utcnow
from adminapp.vocabulary import Notice

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


def notices(user, kind=None):
    """(kind, actor name or None, message id or None) of `user`'s notifications, oldest first."""
    query = Notification.select().where(Notification.recipient == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return [(n.kind, n.actor.username if n.actor_id else None, n.message_id) for n in query]


def unread(user):
    return UserStats.get(UserStats.user == user.id).unread


# --- mentions -----------------------------------------------------------------------------
def test_a_mention_of_an_existing_user_links_and_notifies_once(client, auth, people):
    auth.login("alice")
    response = client.post("/create/", data={
        "content": "hi @Bob and @bob, @nobody_here, me@carol.org, x.org/@carol, @alice"})
    assert response.status_code == 302
    message = Message.get()
    assert message.mentions == "alice bob"   # parsed once: existing names only, lowercased
    assert notices(people["bob"]) == [("mention", "alice", message.id)]
    assert notices(people["carol"]) == [] and notices(people["alice"]) == []  # not yourself
    html = client.get("/public/").get_data(as_text=True)
    assert html.count('<a class="mention" href="/users/Bob/">@Bob</a>') == 1
    assert '<a class="mention" href="/users/bob/">@bob</a>' in html
    assert "@nobody_here" in html and 'href="/users/nobody_here/"' not in html
    assert 'href="/users/carol/"' not in html


def test_mentions_of_suspended_users_and_past_the_limit_notify_nobody(people, make_user):
    make_user("ghost", suspended=True)
    names = [make_user(f"fan{n}").username for n in range(12)]
    message = people["alice"].post("hey @ghost " + " ".join(f"@{n}" for n in names))
    assert "ghost" not in message.mentions.split()
    # the first ten names are looked up (ghost among them): fan0 to fan8 are told
    assert sorted(message.mentions.split()) == sorted(f"fan{n}" for n in range(9))
    assert Notification.select().where(Notification.kind == Notice.MENTION).count() == 9


def test_a_mention_inside_a_link_keeps_the_link_whole(client, people):
    people["alice"].post("see https://example.org/a and @bob")
    html = client.get("/public/").get_data(as_text=True)
    assert 'href="https://example.org/a"' in html and 'href="/users/bob/">@bob</a>' in html


# --- who is told what ---------------------------------------------------------------------
def test_replies_follows_and_likes_notify_their_target_once(people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    first = alice.post("first")
    answer = bob.post("hello @alice and @carol", in_reply_to=first)
    bob.follow(alice)
    bob.follow(alice)           # idempotent: one follow, one notification
    bob.like(first)
    bob.like(first)
    alice.like(first)           # your own like tells nobody
    alice.post("talking to myself", in_reply_to=first)
    assert notices(alice) == [("reply", "bob", answer.id), ("follow", "bob", None),
                              ("like", "bob", first.id)]
    assert notices(carol) == [("mention", "bob", answer.id)]
    assert unread(alice) == 3 and unread(carol) == 1
    bob.unlike(first)           # an unread like taken back is gone
    assert notices(alice, "like") == [] and unread(alice) == 2


def test_moderation_tells_the_author_and_the_reporter_without_names(people, make_message,
                                                                     staff):
    message = make_message(people["alice"], "spammy")
    report = Report.file(people["bob"], message, "spam")
    moderation.resolve_report(staff.moderator, report, "hide", "Spam")
    hidden = Notification.get(Notification.recipient == people["alice"].id)
    assert (hidden.kind, hidden.actor_id, hidden.message_id, hidden.text) == \
        ("hidden", None, message.id, "Spam")
    resolved = Notification.get(Notification.recipient == people["bob"].id)
    assert (resolved.kind, resolved.actor_id, resolved.text) == \
        ("report_resolved", None, "message hidden")
    # the audit entries list the notices sent
    notified = {entry.action: entry.details["notified"] for entry in AuditLog.select()}
    assert notified == {"hide": ["hidden"], "resolve_report": ["report_resolved"]}


def test_deleting_a_message_takes_its_notifications_with_it(people):
    parent = people["alice"].post("parent")
    answer = people["bob"].post("@carol look", in_reply_to=parent)
    people["carol"].like(answer)
    people["bob"].delete_message(answer)
    assert Notification.select().count() == 0
    assert unread(people["alice"]) == unread(people["carol"]) == unread(people["bob"]) == 0


# --- the page and the count ---------------------------------------------------------------
def test_the_nav_counts_unread_in_the_session_query_and_the_page_marks_them_read(
        client, auth, people, count_queries):
    alice = people["alice"]
    first = alice.post("hello")
    people["bob"].like(first)
    people["carol"].follow(alice)
    auth.login("alice")
    with count_queries() as q:
        html = client.get("/public/").get_data(as_text=True)
    assert '<span class="count" aria-label="2 unread">2</span>' in html
    with count_queries() as q_after:
        html = client.get("/notifications/").get_data(as_text=True)
    assert q.n == 2 and q_after.n <= 3   # the user (with the count), the page; then marked read
    assert html.count('<span class="new">New</span>') == 2
    assert "carol</a> followed you" in html and "bob</a> liked your message" in html
    assert f'href="/messages/{first.id}/">hello</a>' in html
    assert unread(alice) == 0 and Notification.select().where(
        Notification.read_at.is_null()).count() == 0
    html = client.get("/notifications/").get_data(as_text=True)
    assert "New</span>" not in html and 'class="count"' not in html


def test_notifications_are_keyset_pages_newest_first(client, auth, people):
    alice = people["alice"]
    start = utcnow() - datetime.timedelta(days=1)
    for n in range(45):
        Notification.create(recipient=alice.id, kind="follow", actor=people["bob"].id,
                            created=start + datetime.timedelta(seconds=n // 3))
    auth.login("alice")
    seen, url = 0, "/notifications/"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += html.count('class="notification')
        found = NEXT.search(html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == 45


def test_the_page_needs_a_login_and_shows_only_your_own(client, auth, people):
    people["bob"].follow(people["alice"])
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    auth.login("carol")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "followed you" not in html and "Nothing yet" in html
    assert unread(people["alice"]) == 1
