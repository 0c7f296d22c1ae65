"""The home timeline's two plans (feeds.HOME, bounded per author; feeds.HOME_DENSE, a walk
of the newest messages) give the same pages as a model of the rules, both ways."""
import datetime
import random

import pytest

from adminapp import feeds, moderation
from adminapp.models import Message, User, utcnow


@pytest.fixture
def world(make_user, make_message):
    """A reader following 6 of 9 authors who post unevenly (one a lot, and the whole newest
    page), with hidden messages and a suspended author."""
    rng = random.Random(7)
    mod = make_user("mod", role="moderator")
    reader = make_user("reader")
    authors = [make_user(f"author{n}") for n in range(9)]
    start = utcnow() - datetime.timedelta(days=3)
    for n in range(400):
        author = authors[0] if n % 3 == 0 else rng.choice(authors + [reader])
        make_message(author, f"m{n}", pub_date=start + datetime.timedelta(minutes=rng.randrange(4000)))
    # a burst: one author fills the newest page alone, some of it hidden, which is where a
    # wrong per-author bound would cut the page short
    burst = [make_message(authors[0], f"burst {n}", pub_date=utcnow() - datetime.timedelta(seconds=n))
             for n in range(30)]
    for author in authors[:6]:
        reader.follow(author)
    for message in rng.sample(list(Message.select()), 40) + burst[2:10]:
        if message.hidden_at is None:
            moderation.hide_message(mod, Message.get_by_id(message.id), "spam")
    moderation.suspend_user(mod, authors[1], "spam")
    return reader, authors


def expected(reader):
    """The reader's timeline by the rules, newest first: ids."""
    followed = {r.to_user_id for r in reader.relationships} | {reader.id}
    rows = (Message.select(Message, User).join(User).where(Message.user.in_(list(followed))))
    visible = [m for m in rows if not m.is_hidden and not m.user.is_suspended]
    return [m.id for m in sorted(visible, key=lambda m: (m.pub_date, m.id), reverse=True)]


def walk(feed, reader, extra):
    """Every id of `feed` page by page forward, then back from the last page; both lists."""
    forward, args, pages = [], {}, []
    while True:
        page = feed.page(args, 20, reader, reader.id, reader.id, *extra(args))
        forward += [m.id for m in page.items]
        pages.append(page)
        if not page.next_args:
            break
        args = page.next_args
    backward, args = [], pages[-1].prev_args
    while args:
        page = feed.page(args, 20, reader, reader.id, reader.id, *extra(args))
        backward = [m.id for m in page.items] + backward
        args = page.prev_args
    return forward, backward + [m.id for m in pages[-1].items]


def edge(args):
    return [datetime.datetime.max if "after" in args else datetime.datetime.min]


def test_both_plans_match_the_rules_forward_and_back(app, world):
    reader, _ = world
    with app.test_request_context():
        want = expected(reader)
        assert len(want) > 100
        dense = lambda args: edge(args) + [feeds.WINDOW]  # noqa: E731
        for feed, extra in ((feeds.HOME, edge), (feeds.HOME_DENSE, dense)):
            forward, backward = walk(feed, reader, extra)
            assert forward == want, feed
            assert backward == want, feed


def test_the_plan_follows_the_number_of_follows(app, world):
    reader, _ = world
    with app.test_request_context():
        few = feeds.home_page(reader, 6, {}, 20)
        many = feeds.home_page(reader, feeds.DENSE_FOLLOWING, {}, 20)
        assert [m.id for m in few.items] == [m.id for m in many.items] == expected(reader)[:20]


def test_kept_rows_never_show_another_message(client, auth, make_user, make_message):
    """Rows are rendered once and kept (public/rows.py): a reused id, an edit made by hand
    or hiding shows at once, and the time and moderation form stay live."""
    alice = make_user("alice")
    message = make_message(alice, "first words")
    assert "first words" in client.get("/public/").get_data(as_text=True)
    Message.update(content="other words").where(Message.id == message.id).execute()
    page = client.get("/public/").get_data(as_text=True)
    assert "other words" in page and "first words" not in page
    make_user("mod", role="moderator")
    auth.login("mod")
    page = client.get("/users/alice/").get_data(as_text=True)
    assert f'action="/messages/{message.id}/hide/' in page and "just now" in page
    moderation.hide_message(User.get(User.username == "mod"), Message.get_by_id(message.id), "x")
    page = client.get(f"/messages/{message.id}/").get_data(as_text=True)
    assert "is-hidden" in page and f'action="/messages/{message.id}/unhide/' in page


def test_a_dense_walk_past_its_window_falls_back_to_the_bounded_plan(app, world, monkeypatch):
    """A window smaller than a page of the reader's timeline: the walk comes back short
    and home_page reads the page the bounded way, so nothing is missed."""
    reader, _ = world
    monkeypatch.setattr(feeds, "WINDOW", 3)
    with app.test_request_context():
        short = feeds.HOME_DENSE.page({}, 20, reader, reader.id, reader.id,
                                         datetime.datetime.min, 3)
        assert len(short.items) < 20 and not short.next_args
        page = feeds.home_page(reader, feeds.DENSE_FOLLOWING, {}, 20)
        assert [m.id for m in page.items] == expected(reader)[:20]
