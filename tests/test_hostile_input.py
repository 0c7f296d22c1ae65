"""Whatever arrives, the answer is a 4xx with the site's error page, and nothing is stored."""
import io

import pytest

from adminapp.models import Message, Report, User

HUGE = "99999999999999999999"          # beyond 64 bits
JUST_OVER = str(2**63)


@pytest.fixture
def alice(auth, make_user, make_message):
    user = make_user("alice")
    make_user("mod", role="moderator")
    auth.login("alice")
    return user


def rows():
    return (User.select().count(), Message.select().count(), Report.select().count())


@pytest.mark.parametrize("method, path", [
    ("GET", f"/messages/{HUGE}/"), ("GET", f"/messages/{JUST_OVER}/"),
    ("POST", f"/messages/{HUGE}/report/"), ("POST", f"/messages/{HUGE}/hide/"),
    ("POST", f"/messages/{JUST_OVER}/unhide/"), ("GET", "/messages/0/"),
])
def test_ids_beyond_64_bits_are_not_found(client, alice, method, path):
    response = client.open(path, method=method, data={"category": "spam"})
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("cursor", [f"before=20240101000000000000-{HUGE}",
                                    f"after=20240101000000000000-{JUST_OVER}",
                                    "before=20240101000000000000--1", "before=x-1",
                                    "after=00000101000000000000-1"])
def test_cursors_beyond_64_bits_or_broken_are_400(client, cursor):
    response = client.get(f"/public/?{cursor}")
    assert response.status_code == 400
    assert "page link is broken" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, field", [("/join/", "username"), ("/join/", "email"),
                                         ("/create/", "content"), ("/login/", "username")])
def test_a_file_in_a_text_field_is_refused(client, alice, path, field):
    before = rows()
    data = {"username": "newbie", "email": "n@example.com", "password": "password123",
            "content": "hi", field: (io.BytesIO(b"file body"), "x.txt")}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "no file uploads" in response.get_data(as_text=True)
    assert rows() == before


def test_a_file_in_a_report_note_is_refused(client, alice, make_user, make_message):
    message = make_message(make_user("bob"))
    response = client.post(f"/messages/{message.id}/report/",
                           data={"category": "spam", "note": (io.BytesIO(b"x"), "n.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert not Report.select().exists()


@pytest.mark.parametrize("path", ["/login/", "/create/", "/settings/", "/join/"])
@pytest.mark.parametrize("body", ['{"username": "alice", "password": "password123"}',
                                  '{"content": ["a", 1, null], "email": {"x": 1}}',
                                  '{"broken": ', "[1, 2, 3]", "null"])
def test_json_to_a_form_page_is_415(client, alice, path, body):
    before = rows()
    response = client.post(path, data=body, content_type="application/json", csrf=False)
    assert response.status_code == 415
    assert "web form" in response.get_data(as_text=True)
    assert rows() == before


@pytest.mark.parametrize("target", ["/private/\r\nSet-Cookie: x=1", "/private/\n", "/\x7f",
                                    "/pri\tvate/", "/%0d%0aLocation:%20//evil.example"])
def test_next_with_control_characters_goes_home(client, make_user, target):
    make_user("bob")
    response = client.post("/login/", query_string={"next": target},
                           data={"username": "bob", "password": "password123"})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", target) and "\n" not in response.headers["Location"]
    assert "\r" not in response.headers["Location"]


def test_a_new_password_of_spaces_is_refused(client, alice):
    response = client.post("/settings/", data={"email": "alice@example.com", "bio": "",
                                               "current_password": "password123",
                                               "new_password": " " * 12})
    assert response.status_code == 422
    assert "only spaces" in response.get_data(as_text=True)
    assert User.get(User.username == "alice").check_password("password123")


def test_a_ten_megabyte_post_is_refused_before_it_is_read(client, alice):
    response = client.post("/create/", data={"content": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413
    assert not Message.select().exists()


@pytest.mark.parametrize("verb, path", [("hide", "/messages/{message}/hide/"),
                                        ("suspend", "/users/bob/suspend/")])
def test_the_reason_of_the_public_buttons_is_capped(app, auth, make_user, make_message, verb,
                                                   path):
    from adminapp.models import AuditLog
    make_user("mod", role="moderator")
    message = make_message(make_user("bob"))
    auth.login("mod")
    response = auth.client.post(path.format(message=message.id), data={"reason": "x" * 400_000})
    assert response.status_code in (302, 413)
    if response.status_code == 302:
        entry = AuditLog.get(AuditLog.action == verb)
        assert len(entry.details["reason"]) == 200
        assert len(Message.get_by_id(message.id).hidden_reason or "x" * 200) == 200


def test_the_reason_is_capped_when_it_fits_the_body_limit(app, auth, make_user, make_message):
    from adminapp.models import AuditLog
    make_user("mod", role="moderator")
    message = make_message(make_user("bob"))
    auth.login("mod")
    response = auth.client.post(f"/messages/{message.id}/hide/", data={"reason": "y" * 5000})
    assert response.status_code == 302
    assert Message.get_by_id(message.id).hidden_reason == "y" * 200
    assert AuditLog.get(AuditLog.action == "hide").details["reason"] == "y" * 200


@pytest.mark.parametrize("content, words", [
    ("\u200b\u200b\u200b", "invisible"), ("\u2066\u2067", "text-direction"),
    ("hello\u202eworld", "text-direction"), ("nul\x00byte", "NUL"),
    ("\u3164\u3164", "invisible"), ("\u00ad\ufeff", "invisible"), ("bell\x07", "control"),
])
def test_messages_of_invisible_or_control_characters_are_refused(client, alice, content, words):
    response = client.post("/create/", data={"content": content})
    assert response.status_code in (400, 422)
    assert words in response.get_data(as_text=True)
    assert not Message.select().exists()


def test_a_nul_anywhere_is_400(client, make_user):
    make_user("alice")
    assert client.get("/users/al%00ice/").status_code == 400
    assert client.get("/public/?before=%00").status_code == 400
    response = client.post("/login/", data={"username": "alice\x00", "password": "password123"})
    assert response.status_code == 400


def test_a_form_field_whose_name_breaks_its_header_is_400(client, alice):
    """A newline in a multipart field name ends the part's header early: the parser
    yields a field without a name, which no form of the site has."""
    boundary, token = "xyz", client.csrf_token()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nhello\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"a\nb\"\r\n\r\ntrue\r\n"
            f"--{boundary}--\r\n").encode()
    response = client.post("/create/", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}", csrf=False)
    assert response.status_code == 400
    assert not Message.select().exists()


@pytest.mark.parametrize("path", ["/public/", "/users/bob/", "/"])
def test_a_cursor_at_the_largest_64_bit_id_is_an_empty_page(client, alice, make_user, path):
    """Ids are 64-bit in URLs, but PostgreSQL's id columns are 32-bit (peewee's AutoField):
    a cursor past them finds nothing (a prepared statement refused the value: a 500)."""
    make_user("bob")
    response = client.get(f"{path}?after=99991231235959999999-9223372036854775807")
    assert response.status_code == 200
    response = client.get(f"{path}?before=00010101000000000000-9223372036854775807")
    assert response.status_code == 200
