"""Conversations: replies and threads, likes, deleting your own message."""
import datetime
import re

import pytest

from adminapp import moderation
from adminapp.models import Message, MessageLike, MessageStats, Report, User, UserStats, utcnow

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
CONTENT = re.compile(r'<p class="content">([^<]*)</p>')


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


def reply(client, parent, content="me too"):
    return client.post(f"/messages/{parent.id}/reply/", data={"content": content})


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def thread_texts(html):
    """The contents of the messages on a thread page, in page order."""
    return CONTENT.findall(html)


def stats(message):
    row = MessageStats.get_or_none(MessageStats.message == message.id)
    return (row.replies, row.likes) if row else (0, 0)


# --- replies ------------------------------------------------------------------------------
def test_a_reply_links_back_to_its_parent_and_shows_everywhere(client, auth, people,
                                                              make_message):
    parent = make_message(people["alice"], "what a day")
    auth.login("bob")
    response = reply(client, parent, "indeed it was")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/messages/{parent.id}/"
    answer = Message.get(Message.content == "indeed it was")
    assert (answer.in_reply_to_id, answer.in_reply_to_user_id) == (parent.id, people["alice"].id)
    assert stats(parent) == (1, 0)
    thread = page(client, f"/messages/{parent.id}/")
    assert thread_texts(thread) == ["what a day", "indeed it was"]
    assert "1 reply" in thread and "Your reply is posted." in thread
    timeline = page(client, "/public/")
    assert f'<a href="/messages/{parent.id}/">Replying to</a> <a href="/users/alice/">@alice</a>' \
        in timeline
    # the reply's own page shows the parent above it
    assert thread_texts(page(client, f"/messages/{answer.id}/")) == ["what a day", "indeed it was"]


def test_a_posted_reply_does_not_read_the_thread(client, auth, people, make_message,
                                                count_queries):
    """The thread is read only to show the form again with its reasons (form_page's more)."""
    parent = make_message(people["alice"], "hello")
    auth.login("bob")
    token = client.csrf_token()
    with count_queries() as q:
        response = client.post(f"/messages/{parent.id}/reply/",
                               data={"content": "hi", "csrf_token": token})
    assert response.status_code == 302
    assert not any("RECURSIVE" in statement for statement in q.statements), q.statements


@pytest.mark.parametrize("content, reason", [
    ("", "Write something first"), ("x" * 281, "at most 280 characters"),
    ("\u202eevil", "text-direction"),
])
def test_a_bad_reply_is_refused_with_the_reason_and_nothing_is_written(client, auth, people,
                                                                     make_message, content,
                                                                     reason):
    parent = make_message(people["alice"], "hello")
    auth.login("bob")
    response = reply(client, parent, content)
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert Message.select().count() == 1 and stats(parent) == (0, 0)


def test_nobody_replies_to_what_they_cannot_see(client, auth, people, make_message, make_user):
    hidden = make_message(people["alice"], "hidden one", hidden=True)
    make_user("ghost", suspended=True)
    ghost_message = make_message(User.get(User.username == "ghost"), "boo")
    auth.login("bob")
    assert reply(client, hidden).status_code == 404
    assert reply(client, ghost_message).status_code == 404
    assert reply(client, Message(id=999999)).status_code == 404
    auth.logout()
    response = reply(client, make_message(people["alice"]))
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert Message.select().where(Message.in_reply_to.is_null(False)).count() == 0


def test_a_suspended_user_cannot_reply(client, auth, people, make_message):
    parent = make_message(people["alice"])
    auth.login("bob")
    User.update(suspended_at=utcnow()).where(User.username == "bob").execute()
    assert reply(client, parent).status_code in (302, 400, 403, 422)
    assert Message.select().where(Message.in_reply_to == parent.id).count() == 0


def test_a_thread_shows_ancestors_root_first_and_replies_oldest_first(client, people,
                                                                      make_message):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    root = make_message(alice, "root")
    middle = bob.post("middle", in_reply_to=root)
    leaf = carol.post("leaf", in_reply_to=middle)
    answers = [alice.post(f"answer {n}", in_reply_to=leaf) for n in range(3)]
    html = page(client, f"/messages/{leaf.id}/")
    assert thread_texts(html) == ["root", "middle", "leaf", "answer 0", "answer 1", "answer 2"]
    assert "3 replies" in html and 'id="replies"' in html
    # the replies of the root are the root's direct ones only
    assert thread_texts(page(client, f"/messages/{root.id}/")) == ["root", "middle"]
    assert stats(leaf) == (3, 0) and stats(root) == (1, 0)
    assert answers[0].in_reply_to_user_id == carol.id


def test_thread_replies_are_keyset_pages_with_rel_links(client, people, make_message):
    parent = make_message(people["alice"], "popular")
    start = utcnow() - datetime.timedelta(hours=1)
    for n in range(45):
        Message.create(user=people["bob"], content=f"reply {n}", in_reply_to=parent,
                       in_reply_to_user=people["alice"],
                       pub_date=start + datetime.timedelta(seconds=n // 2))
    seen, url = [], f"/messages/{parent.id}/"
    while url:
        html = page(client, url)
        seen += [t for t in thread_texts(html) if t != "popular"]
        found = NEXT.search(html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"reply {n}" for n in range(45)]
    assert "45 replies" in html


def test_hiding_a_reply_takes_it_out_of_the_thread_and_the_count(client, auth, people,
                                                                  make_message, staff):
    parent = make_message(people["alice"], "parent")
    answer = people["bob"].post("rude answer", in_reply_to=parent)
    moderation.hide_message(staff.moderator, answer, "abuse")
    assert stats(parent) == (0, 0)
    html = page(client, f"/messages/{parent.id}/")
    assert "rude answer" not in html and "0 replies" in html
    moderation.unhide_message(staff.moderator, Message.get_by_id(answer.id))
    assert stats(parent) == (1, 0)


def test_a_hidden_ancestor_is_shown_as_unavailable_except_to_staff(client, auth, people,
                                                                   make_message, staff):
    root = make_message(people["alice"], "secret root")
    child = people["bob"].post("child", in_reply_to=root)
    moderation.hide_message(staff.moderator, root, "spam")
    html = page(client, f"/messages/{child.id}/")
    assert "secret root" not in html and "This message is not available." in html
    auth.login("mod")
    html = page(client, f"/messages/{child.id}/")
    assert "secret root" in html and "This message is not available." not in html


def test_thread_pages_run_a_constant_number_of_queries(client, auth, people, make_message,
                                                       count_queries):
    alice, bob = people["alice"], people["bob"]
    auth.login("carol")
    counts = []
    parent = make_message(alice, "root")
    for depth in (1, 5, 12):
        while Message.select().count() < depth:
            parent = bob.post(f"level {depth}", in_reply_to=parent)
        for n in range(depth * 3):
            alice.post(f"answer {n}", in_reply_to=parent)
        with count_queries() as q:
            assert client.get(f"/messages/{parent.id}/").status_code == 200
        counts.append(q.n)
    assert counts[0] == counts[1] == counts[2] and counts[0] <= 4, counts


def test_a_message_without_replies_reads_none(client, auth, people, make_message,
                                              count_queries):
    """Its counter says it has no visible reply: the page reads the session's user and the
    message (with its ancestors), nothing more."""
    message = make_message(people["alice"], "alone")
    hidden = people["bob"].post("hidden answer", in_reply_to=message)
    hidden.hidden_at = utcnow()
    hidden.save()
    auth.login("carol")
    with count_queries() as q:
        html = page(client, f"/messages/{message.id}/")
    assert q.n == 2 and "0 replies" in html and "No replies yet." in html


def test_the_thread_walks_up_by_primary_key_without_a_join(app, people, make_message):
    """Each step up the thread reads the parent by primary key (a scalar subquery): as a
    join, SQLite built a Bloom filter over the whole message table at every step (6 ms a
    page at 50,000 messages)."""
    from adminapp import db, feeds
    if not db.is_sqlite():
        pytest.skip("a SQLite plan")
    sql = feeds.THREAD.compiled()[0]
    plan = [r[3] for r in db.database.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                  (1,) * sql.count("?"))]
    step = plan[plan.index("RECURSIVE STEP") + 1:plan.index("RECURSIVE STEP") + 4]
    assert step[0] == "SCAN chain" and step[1].startswith("CORRELATED SCALAR SUBQUERY"), plan
    assert not any("BLOOM" in line for line in plan), plan


# --- likes --------------------------------------------------------------------------------
def test_likes_are_idempotent_and_shown_with_the_viewers_state(client, auth, people,
                                                              make_message):
    message = make_message(people["alice"], "like me")
    auth.login("bob")
    for _ in range(2):   # the row buttons send the page to come back to in their form
        response = client.post(f"/messages/{message.id}/like/", data={"next": "/public/"})
        assert response.status_code == 302 and response.headers["Location"] == "/public/"
    assert MessageLike.select().count() == 1 and stats(message) == (0, 1)
    html = page(client, "/public/")
    assert (f'formaction="/messages/{message.id}/unlike/" class="link like liked" '
            f'aria-pressed="true"') in html and "&hearts; 1 like<" in html
    assert '<form id="row-actions" method="post" hidden>' in html
    assert '<input type="hidden" name="next" value="/public/">' in html
    auth.logout()
    auth.login("carol")
    html = page(client, "/public/")
    assert f'formaction="/messages/{message.id}/like/" class="link like"' in html
    assert "&#9825; 1 like<" in html
    auth.logout()
    auth.login("bob")
    for _ in range(2):
        assert client.post(f"/messages/{message.id}/unlike/").status_code == 302
    assert MessageLike.select().count() == 0 and stats(message) == (0, 0)
    assert "&#9825; 0 likes" in page(client, f"/messages/{message.id}/")


def test_likes_need_a_login_a_post_a_token_and_a_visible_message(client, auth, people,
                                                                 make_message):
    message = make_message(people["alice"])
    hidden = make_message(people["alice"], hidden=True)
    response = client.post(f"/messages/{message.id}/like/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    auth.login("bob")
    assert client.get(f"/messages/{message.id}/like/").status_code == 405
    assert client.post(f"/messages/{message.id}/like/", csrf=False).status_code == 400
    assert client.post(f"/messages/{hidden.id}/like/").status_code == 404
    assert client.post("/messages/999999/like/").status_code == 404
    assert MessageLike.select().count() == 0
    html = page(client, "/public/")
    assert 'form="row-actions"' in html   # members get a button; visitors only the count
    auth.logout()
    html = page(client, "/public/")
    assert 'form="row-actions"' not in html and "row-actions" not in html
    assert '<span class="likes">&#9825; 0 likes</span>' in html


def test_timelines_show_counts_and_like_state_in_the_same_queries(client, auth, people,
                                                                  make_message, count_queries):
    alice = people["alice"]
    auth.login("bob")
    counts = []
    for n in (2, 10):
        while Message.select().where(Message.in_reply_to.is_null()).count() < n:
            message = make_message(alice, "post")
            people["carol"].post("answer", in_reply_to=message)
            people["bob"].like(message)
        with count_queries() as q:
            html = page(client, "/public/")
        counts.append(q.n)
    assert counts[0] == counts[1], counts
    assert "1 reply" in html and "&hearts; 1 like" in html


# --- deleting your own --------------------------------------------------------------------
def test_deleting_your_own_message_keeps_its_replies(client, auth, people, make_message):
    alice, bob = people["alice"], people["bob"]
    parent = make_message(alice, "regrettable")
    answer = bob.post("an answer", in_reply_to=parent)
    bob.like(parent)
    Report.file(bob, parent, "spam")
    auth.login("alice")
    html = page(client, f"/messages/{parent.id}/")
    assert f'action="/messages/{parent.id}/delete/"' in html and "Delete for good" in html
    response = client.post(f"/messages/{parent.id}/delete/")
    assert response.status_code == 302 and response.headers["Location"] == "/users/alice/"
    assert Message.get_or_none(Message.id == parent.id) is None
    assert MessageLike.select().count() == 0 and Report.select().count() == 0
    assert UserStats.get(UserStats.user == alice.id).posts == 0
    kept = Message.get_by_id(answer.id)
    assert kept.in_reply_to_id is None and kept.in_reply_to_user_id == alice.id
    assert "Replying to a deleted message" in page(client, f"/messages/{answer.id}/")
    assert "Replying to a deleted message" in page(client, "/public/")
    assert client.get(f"/messages/{parent.id}/").status_code == 404


def test_nobody_deletes_someone_elses_message(client, auth, people, make_message, staff):
    message = make_message(people["alice"], "mine")
    auth.login("bob")
    assert "Delete for good" not in page(client, f"/messages/{message.id}/")
    assert client.post(f"/messages/{message.id}/delete/").status_code == 403
    auth.logout()
    auth.login("mod")   # staff delete from the back office (audited), not from here
    assert client.post(f"/messages/{message.id}/delete/").status_code == 403
    assert client.post("/messages/999999/delete/").status_code == 404
    assert Message.get_or_none(Message.id == message.id) is not None
    auth.logout()
    response = client.post(f"/messages/{message.id}/delete/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_the_admin_delete_verb_keeps_replies_too(people, make_message, staff):
    parent = make_message(people["alice"], "bad")
    answer = people["bob"].post("reply", in_reply_to=parent)
    people["carol"].like(parent)
    moderation.delete_message(staff.admin, parent, "spam")
    assert Message.get_by_id(answer.id).in_reply_to_id is None
    assert MessageLike.select().count() == 0
