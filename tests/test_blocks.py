"""Block and mute: the rules from both sides."""
import datetime
import re

import pytest

from adminapp.models import (Block, Message, MessageLike, Mute, Notification, Relationship,
                             ValidationError, utcnow)

CONTENT = re.compile(r'<p class="content">([^<]*)</p>')


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol")}


def texts(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return CONTENT.findall(response.get_data(as_text=True))


def follows(a, b):
    return Relationship.select().where((Relationship.from_user == a.id)
                                       & (Relationship.to_user == b.id)).exists()


@pytest.mark.parametrize("who_blocks", ["alice", "bob"])
def test_a_block_stops_every_contact_from_both_sides(client, auth, people, who_blocks):
    alice, bob = people["alice"], people["bob"]
    alice.follow(bob)
    bob.follow(alice)
    by_alice, by_bob = alice.post("alice speaks"), bob.post("bob speaks")
    blocker, blocked = (alice, bob) if who_blocks == "alice" else (bob, alice)
    auth.login(blocker.username)
    assert client.post(f"/users/{blocked.username}/block/").status_code == 302
    assert not follows(alice, bob) and not follows(bob, alice)
    for viewer, other, theirs in ((alice, bob, by_bob), (bob, alice, by_alice)):
        auth.logout()
        auth.login(viewer.username)
        assert client.post(f"/users/{other.username}/follow/").status_code == 400
        assert client.post(f"/messages/{theirs.id}/like/").status_code == 400
        # their messages are not there for you: no thread to answer in
        assert client.post(f"/messages/{theirs.id}/reply/",
                           data={"content": "hey"}).status_code == 404
        with pytest.raises(ValidationError, match="You cannot reply to this account."):
            viewer.post("hey", in_reply_to=theirs)
        with pytest.raises(ValidationError, match="You cannot like"):
            viewer.like(theirs)
        with pytest.raises(ValidationError, match="You cannot follow this account."):
            viewer.follow(other)
        client.post("/create/", data={"content": f"hello @{other.username}"})
        for url in ("/", "/public/"):
            assert f"{other.username} speaks" not in texts(client, url)
        assert client.get(f"/messages/{theirs.id}/").status_code == 404
        profile = client.get(f"/users/{other.username}/").get_data(as_text=True)
        assert f"{other.username} speaks" not in profile
        assert "blocks you" in profile or "You block" in profile
    assert MessageLike.select().count() == 0 and not follows(alice, bob)
    assert Notification.select().where(Notification.kind == "mention").count() == 0
    assert Message.select().where(Message.in_reply_to.is_null(False)).count() == 0
    auth.logout()
    assert "alice speaks" in texts(client, "/public/") and "bob speaks" in texts(client, "/public/")


def test_in_a_thread_a_blocked_persons_messages_are_not_available(client, auth, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    root = bob.post("bob starts")
    middle = carol.post("carol answers", in_reply_to=root)
    bob.post("bob again", in_reply_to=middle)
    carol.post("carol again", in_reply_to=middle)
    alice.block(bob)
    auth.login("alice")
    html = client.get(f"/messages/{middle.id}/").get_data(as_text=True)
    assert CONTENT.findall(html) == ["carol answers", "carol again"]
    assert "This message is not available." in html


def test_unblocking_shows_messages_again_but_not_the_follows(client, auth, people):
    alice, bob = people["alice"], people["bob"]
    alice.follow(bob)
    bob.post("back again")
    auth.login("alice")
    client.post("/users/bob/block/")
    assert "back again" not in texts(client, "/public/")
    assert client.post("/users/bob/unblock/").status_code == 302
    assert "back again" in texts(client, "/public/") and not follows(alice, bob)
    assert Block.select().count() == 0


def test_a_mute_only_takes_messages_off_the_muters_timelines(client, auth, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    alice.follow(bob)
    root = carol.post("carol asks")
    bob.post("bob answers", in_reply_to=root)
    auth.login("alice")
    assert client.post("/users/bob/mute/").status_code == 302
    assert follows(alice, bob)                       # still following
    for url in ("/", "/public/"):
        assert "bob answers" not in texts(client, url)
    assert "bob answers" in texts(client, "/users/bob/")          # the profile shows them
    assert "bob answers" in texts(client, f"/messages/{root.id}/")  # and threads do
    auth.logout()
    auth.login("carol")
    assert "bob answers" in texts(client, "/public/")  # nobody else is affected
    bob.like(root)                                    # a mute does not stop contact
    assert MessageLike.select().count() == 1
    auth.logout()
    auth.login("alice")
    client.post("/users/bob/unmute/")
    assert "bob answers" in texts(client, "/")


def test_a_muted_busy_account_does_not_end_the_home_timeline_early(client, auth, people):
    """The home timeline reads at most a page per followed author (feeds._page_bound): a
    muted author with many newer messages must not be the one that bounds the page."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    alice.follow(bob)
    alice.follow(carol)
    now = utcnow()
    for n in range(5):
        Message.create(user=carol, content=f"carol {n}",
                       pub_date=now - datetime.timedelta(days=2, minutes=n))
    for n in range(40):
        Message.create(user=bob, content=f"bob {n}", pub_date=now - datetime.timedelta(minutes=n))
    alice.mute(bob)
    auth.login("alice")
    assert texts(client, "/") == [f"carol {n}" for n in range(5)]


def test_settings_list_blocks_and_mutes_with_buttons(client, auth, people):
    auth.login("alice")
    html = client.get("/settings/").get_data(as_text=True)
    assert "You block nobody." in html and "You mute nobody." in html
    client.post("/users/bob/block/")
    client.post("/users/carol/mute/")
    html = client.get("/settings/").get_data(as_text=True)
    assert 'action="/users/bob/unblock/?next=/settings/"' in html
    assert 'action="/users/carol/unmute/?next=/settings/"' in html
    response = client.post("/users/bob/unblock/?next=/settings/")
    assert response.headers["Location"] == "/settings/" and Block.select().count() == 0
    assert client.post("/users/alice/block/").status_code == 400
    assert client.post("/users/alice/mute/").status_code == 400
    assert client.post("/users/nobody_here/block/").status_code == 404
    assert client.get("/users/bob/block/").status_code == 405
    assert Mute.select().count() == 1


def test_blocking_needs_a_login_and_a_token(client, auth, people):
    response = client.post("/users/bob/block/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    auth.login("alice")
    assert client.post("/users/bob/block/", csrf=False).status_code == 400
    assert Block.select().count() == 0


@pytest.mark.parametrize("screen", ["blocked by them", "block", "mute"])
def test_a_block_or_mute_made_elsewhere_applies_at_the_next_request(client, auth, people,
                                                                      screen):
    """Feeds leave the block/mute filter out for someone with none (read with the login
    session at each request): one made meanwhile, in another session, applies at once."""
    alice, bob = people["alice"], people["bob"]
    alice.follow(bob)
    bob.post("bob speaks")
    auth.login(alice.username)
    assert "bob speaks" in texts(client, "/") and "bob speaks" in texts(client, "/public/")
    if screen == "blocked by them":
        bob.block(alice)
    elif screen == "block":
        alice.block(bob)
    else:
        alice.mute(bob)
    assert "bob speaks" not in texts(client, "/") and "bob speaks" not in texts(client, "/public/")
