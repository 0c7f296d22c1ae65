"""Every public route for an anonymous visitor, a user and a suspended user."""
import pytest

from adminapp.models import utcnow

GET_ROUTES = [
    # url, anonymous, user   (status, or "login" for a redirect to /login/?next=)
    ("/", 200, 200),
    ("/private/", "login", 200),
    ("/public/", 200, 200),
    ("/join/", 200, 302),
    ("/login/", 200, 302),
    ("/create/", "login", 200),
    ("/users/", 200, 200),
    ("/users/bob/", 200, 200),
    ("/users/BOB/", 200, 200),
    ("/users/nobody/", 404, 404),
    ("/users/bob/followers/", 200, 200),
    ("/users/bob/following/", 200, 200),
    ("/users/nobody/followers/", 404, 404),
    ("/following/", "login", 200),
    ("/followers/", "login", 200),
    ("/messages/{mid}/", 200, 200),
    ("/messages/999999/", 404, 404),
    ("/settings/", "login", 200),
    ("/logout/", 405, 405),
    ("/users/bob/follow/", 405, 405),
    ("/public/?page=abc", 200, 200),
    ("/public/?before=garbage", 400, 400),
]


@pytest.fixture
def world(make_user, make_message):
    alice = make_user("alice")
    bob = make_user("bob")
    message = make_message(bob, "hello from bob")
    return alice, bob, message


def check(response, expected, url):
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == expected, url


@pytest.mark.parametrize("url, anonymous, user", GET_ROUTES)
def test_get_routes_anonymous(client, world, url, anonymous, user):
    url = url.format(mid=world[2].id)
    check(client.get(url), anonymous, url)


@pytest.mark.parametrize("url, anonymous, user", GET_ROUTES)
def test_get_routes_logged_in(client, auth, world, url, anonymous, user):
    url = url.format(mid=world[2].id)
    auth.login("alice")
    check(client.get(url), user, url)


POST_ROUTES = ["/create/", "/logout/", "/users/bob/follow/", "/users/bob/unfollow/",
               "/messages/{mid}/report/", "/settings/"]


@pytest.mark.parametrize("url", POST_ROUTES)
def test_post_routes_send_anonymous_to_login(client, world, url):
    response = client.post(url.format(mid=world[2].id), data={"content": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", ["/", "/private/", "/settings/", "/create/"])
def test_suspended_user_is_logged_out_at_next_request(client, auth, world, url):
    alice = world[0]
    assert auth.login("alice").status_code == 302
    alice.suspended_at = utcnow()
    alice.save()
    response = client.get(url, follow_redirects=True)
    assert "Your account is suspended" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302  # the session is gone


@pytest.mark.parametrize("url, data", [
    ("/create/", {"content": "still here"}),
    ("/users/bob/follow/", {}),
    ("/messages/{mid}/report/", {"category": "spam"}),
])
def test_suspended_user_cannot_post_follow_or_report(client, auth, world, url, data):
    from adminapp.models import Message, Relationship, Report
    alice, bob, message = world
    auth.login("alice")
    alice.suspended_at = utcnow()
    alice.save()
    before = (Message.select().count(), Relationship.select().count(), Report.select().count())
    response = client.post(url.format(mid=message.id), data=data)
    assert response.status_code in (302, 400, 403)
    assert (Message.select().count(), Relationship.select().count(), Report.select().count()) == before


def test_suspended_user_cannot_log_in(client, auth, make_user):
    make_user("carol", suspended=True)
    response = auth.login("carol")
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302
