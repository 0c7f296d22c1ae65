"""Password reset by email, through a real SMTP server on this machine (aiosmtpd)."""
import email
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from adminapp.models import LoginSession, User

LINK = re.compile(r"http://localhost(/reset/[^/\s]+/)")


class Inbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"

    def links(self, to):
        """The reset links mailed to `to`, in order."""
        found = []
        for recipients, message in self.messages:
            if to in recipients:
                found += LINK.findall(message.get_payload(decode=True).decode())
        return found


@pytest.fixture
def inbox(app):
    """A local SMTP server the app sends through."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
    app.extensions["mail"].suppress = False
    yield handler
    controller.stop()


def ask(client, address):
    return client.post("/reset/", data={"email": address}, follow_redirects=True)


def test_reset_by_mail_link_sets_the_password_and_ends_every_session(app, client, inbox,
                                                                     make_user, auth):
    make_user("alice", email="alice@example.com")
    other = app.test_client()
    assert other.post("/login/", data={"username": "alice", "password": "password123",
                                       "remember": "y"}).status_code == 302
    page = ask(client, "ALICE@example.com ").get_data(as_text=True)
    assert "If an account uses that address" in page
    link, = inbox.links("alice@example.com")
    form = client.get(link)
    assert form.status_code == 200 and "alice" in form.get_data(as_text=True)
    done = client.post(link, data={"password": "brand new pass"}, follow_redirects=True)
    assert "Your password is changed" in done.get_data(as_text=True)
    assert User.get(User.username == "alice").check_password("brand new pass")
    assert not LoginSession.select().where(LoginSession.ended_at.is_null()).exists()
    assert other.get("/private/").status_code == 302            # logged out everywhere
    assert auth.login("alice", "brand new pass").status_code == 302


def test_a_link_works_once(client, inbox, make_user):
    make_user("alice", email="alice@example.com")
    ask(client, "alice@example.com")
    link, = inbox.links("alice@example.com")
    assert client.post(link, data={"password": "first new pass"}).status_code == 302
    again = client.post(link, data={"password": "second new pass"})
    assert again.status_code == 400
    assert "not valid" in again.get_data(as_text=True)
    assert User.get(User.username == "alice").check_password("first new pass")


def test_a_link_expires_after_an_hour(app, client, inbox, make_user, monkeypatch):
    make_user("alice", email="alice@example.com")
    ask(client, "alice@example.com")
    link, = inbox.links("alice@example.com")
    import itsdangerous.timed
    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 3601)
    assert client.get(link).status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, inbox, make_user):
    make_user("alice", email="alice@example.com")
    known = ask(client, "alice@example.com")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200

    def text(response):
        return re.sub(r'name="csrf_token"[^>]*>|content="[^"]*"', "", response.get_data(as_text=True))
    assert text(known) == text(unknown)
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("token", ["x", "a.b.c", "W1sxLCAiYWJjIl1d.x.y", "%00", "1" * 500])
def test_forged_tokens_are_refused(client, make_user, token):
    make_user("alice")
    assert client.get(f"/reset/{token}/").status_code in (400, 404)
    assert client.post(f"/reset/{token}/", data={"password": "whatever123"}).status_code in (400, 404)
    assert User.get(User.username == "alice").check_password("password123")


def test_without_a_mail_server_the_mail_is_written_to_instance(app, client, make_user, caplog):
    make_user("alice", email="alice@example.com")
    app.config["MAIL_SERVER"] = None
    ask(client, "alice@example.com")
    message = [r.getMessage() for r in caplog.records if "No MAIL_SERVER" in r.getMessage()]
    path = message[0].rsplit(" ", 1)[1]
    assert path.startswith(app.instance_path) and LINK.search(open(path).read())


def test_reset_requests_are_limited(app, client, make_user):
    app.config["RESET_LIMIT_PER_IP"] = "2 per hour"
    app.config["MAIL_SERVER"] = None
    codes = [client.post("/reset/", data={"email": "x@example.com"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
