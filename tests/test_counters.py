"""The counters the database keeps (user_stats) stay equal to a count of the rows,
whatever writes: the site, the verbs, a factory, a raw statement."""
import pytest

from adminapp import counters, moderation
from adminapp.models import Message, Relationship, User, UserStats


def counted(user):
    """What a fresh count of the tables says about `user`."""
    return dict(followers=Relationship.select().where(Relationship.to_user == user.id).count(),
                following=Relationship.select().where(Relationship.from_user == user.id).count(),
                posts=Message.select().where(Message.user == user.id).count(),
                hidden=Message.select().where((Message.user == user.id)
                                              & Message.hidden_at.is_null(False)).count())


def kept(user):
    row = UserStats.get_by_id(user.id)
    return dict(followers=row.followers, following=row.following, posts=row.posts,
                hidden=row.hidden)


@pytest.fixture
def people(make_user):
    return make_user("root", role="admin"), make_user("alice"), make_user("bob")


def test_counters_follow_every_kind_of_write(people, make_message):
    root, alice, bob = people
    assert kept(alice) == counted(alice) == dict(followers=0, following=0, posts=0, hidden=0)
    messages = [alice.post(f"post {n}") for n in range(3)] + [make_message(alice, "factory")]
    alice.follow(bob), bob.follow(alice), root.follow(alice)
    alice.follow(bob)                                  # again: nothing changes
    moderation.hide_message(root, messages[0], "spam")
    moderation.hide_message(root, messages[1], "spam")
    moderation.unhide_message(root, Message.get_by_id(messages[1].id))
    moderation.delete_message(root, Message.get_by_id(messages[0].id))  # a hidden one
    bob.unfollow(alice)
    Message.delete().where(Message.id == messages[2].id).execute()      # a raw statement
    for user in people:
        assert kept(user) == counted(user), user.username
    assert kept(alice) == dict(followers=1, following=1, posts=2, hidden=0)


def test_a_deleted_user_takes_their_counters_and_their_follows_with_them(people):
    root, alice, bob = people
    alice.follow(bob), bob.follow(alice)
    moderation.delete_user(root, alice)
    assert not UserStats.select().where(UserStats.user == alice.id).exists()
    assert kept(bob) == counted(bob) == dict(followers=0, following=0, posts=0, hidden=0)


def test_a_bulk_load_without_counters_is_recounted_at_the_end(people):
    root, alice, bob = people
    with counters.suspended():
        Message.insert_many([(alice.id, f"bulk {n}") for n in range(5)],
                            fields=[Message.user, Message.content]).execute()
        Relationship.insert(from_user=bob, to_user=alice).execute()
        assert kept(alice)["posts"] == 0            # not kept inside the block ...
    assert kept(alice) == counted(alice) == dict(followers=1, following=0, posts=5, hidden=0)
    alice.post("after")                              # ... and kept again after it
    assert kept(alice)["posts"] == 6


def test_the_profile_shows_the_counters(client, people, make_message):
    root, alice, bob = people
    for n in range(3):
        make_message(alice, f"m{n}")
    hidden = make_message(alice, "hidden")
    moderation.hide_message(root, hidden, "spam")
    bob.follow(alice)
    page = client.get("/users/alice/").get_data(as_text=True)
    assert "<strong>3</strong> messages" in page
    assert "<strong>1</strong> follower" in page and "<strong>0</strong> following" in page
    assert User.with_stats().where(User.id == alice.id).get().messages_count == 3


def day_counts():
    """{(day, metric): n} of activity_day, days as ISO text."""
    from adminapp.models import ActivityDay
    return {(str(row.day)[:10], row.metric): row.n for row in ActivityDay.select() if row.n}


def test_day_counters_follow_messages_signups_and_follows(people, make_message):
    import datetime

    from adminapp.models import FollowedDay, PosterDay
    root, alice, bob = people
    day = datetime.datetime(2024, 5, 1, 10)
    first = make_message(alice, "one", pub_date=day)
    make_message(alice, "two", pub_date=day + datetime.timedelta(hours=1))
    make_message(bob, "three", pub_date=day)
    moved = make_message(bob, "four", pub_date=day)
    Message.update(pub_date=day + datetime.timedelta(days=1)).where(Message.id == moved.id).execute()
    Message.delete().where(Message.id == first.id).execute()
    User.update(join_date=day).where(User.id == bob.id).execute()
    Relationship.create(from_user=alice, to_user=bob, created=day)
    Relationship.create(from_user=root, to_user=bob, created=day)
    Relationship.create(from_user=bob, to_user=alice, created=None)      # an old, undated follow
    root.unfollow(bob)
    counts = day_counts()
    assert counts[("2024-05-01", "messages")] == 2 and counts[("2024-05-02", "messages")] == 1
    assert counts[("2024-05-01", "posters")] == 2 and counts[("2024-05-01", "signups")] == 1
    assert {(r.user_id, r.n) for r in PosterDay.select().where(PosterDay.n > 0)
            if str(r.day)[:10] == "2024-05-01"} == {(alice.id, 1), (bob.id, 1)}
    assert [(r.user_id, r.n) for r in FollowedDay.select().where(FollowedDay.n > 0)] == \
        [(bob.id, 1)]
    before = counts
    counters.recount()                     # a recount from the tables agrees
    assert day_counts() == before
