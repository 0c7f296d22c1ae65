"""Every state-changing request without a CSRF token is refused with 400 and changes nothing."""
import pytest

from adminapp.models import Message, Relationship, Report, User

POSTS = [
    ("/join/", {"username": "newbie", "email": "n@example.com", "password": "password123"}),
    ("/login/", {"username": "alice", "password": "password123"}),
    ("/logout/", {}),
    ("/create/", {"content": "hello"}),
    ("/users/bob/follow/", {}),
    ("/users/bob/unfollow/", {}),
    ("/messages/{mid}/report/", {"category": "spam"}),
    ("/settings/", {"email": "x@example.com", "bio": "changed"}),
]


def snapshot():
    return [list(m.select().tuples()) for m in (User, Message, Relationship, Report)]


@pytest.mark.parametrize("logged_in", [False, True])
@pytest.mark.parametrize("url, data", POSTS)
def test_post_without_token_is_refused(client, auth, make_user, make_message, url, data, logged_in):
    make_user("alice")
    bob = make_user("bob")
    message = make_message(bob)
    if logged_in:
        auth.login("alice")
    before = snapshot()
    response = client.post(url.format(mid=message.id), data=data, csrf=False)
    assert response.status_code == 400
    assert "form was out of date" in response.get_data(as_text=True)
    assert snapshot() == before


def test_post_with_a_wrong_token_is_refused(client, auth, make_user):
    make_user("alice")
    auth.login("alice")
    response = client.post("/create/", data={"content": "hello", "csrf_token": "forged"})
    assert response.status_code == 400
    assert Message.select().count() == 0
