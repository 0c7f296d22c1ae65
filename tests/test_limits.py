"""Abuse limits: what one account or one address may do in a short time, and what
an attacker cannot do with them (lock someone out)."""
import threading
import time

import pytest
from limits.storage import storage_from_string

from adminapp.models import Message, Relationship, Report, User

ADDRESS_A, ADDRESS_B = "198.51.100.7", "203.0.113.9"


def login(client, username, password="password123", address=ADDRESS_A, **kwargs):
    return client.post("/login/", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def assert_limited(response, words):
    """A 429 that says what was limited and when to come back."""
    assert response.status_code == 429
    assert words in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(client, make_user):
    make_user("admin", role="admin")
    for _ in range(10):
        login(client, "admin", "wrong password", ADDRESS_A)
    assert login(client, "admin", "wrong password", ADDRESS_A).status_code == 429
    assert login(app_client := client.application.test_client(), "admin",
                 address=ADDRESS_B).status_code == 302     # the real admin, elsewhere
    assert app_client.get("/admin/").status_code == 200


def test_failures_with_many_names_do_not_lock_out_an_address(client, make_user):
    make_user("alice")
    for n in range(44):
        assert login(client, f"random{n}", "wrong password").status_code == 401
    assert login(client.application.test_client(), "alice").status_code == 302


def test_the_username_limit_is_looser_and_follows_the_name_across_addresses(app, client,
                                                                            make_user):
    app.config["LOGIN_LIMIT_PER_USERNAME"] = "8 per hour"
    make_user("alice")
    for n in range(8):
        login(client, "alice", "wrong password", f"192.0.2.{n + 1}")
    assert_limited(login(client, "ALICE ", "wrong password", "192.0.2.200"),
                   "Too many failed attempts")


def test_the_username_limit_keys_on_the_parsed_name_whatever_the_body(app, make_user):
    """Multipart or urlencoded, any case, spaces around: one username, one counter."""
    make_user("alice")
    client = app.test_client()
    for n in range(5):
        body = {"username": f"  AlIcE{' ' * n}", "password": "wrong password"}
        kind = "multipart/form-data" if n % 2 else "application/x-www-form-urlencoded"
        assert client.post("/login/", data=body, content_type=kind,
                           environ_base={"REMOTE_ADDR": ADDRESS_A}).status_code == 401
    assert login(client, "alice", "wrong password").status_code == 429


def test_a_json_login_is_refused_not_counted_and_not_a_bypass(client, make_user):
    make_user("alice")
    for _ in range(10):
        response = client.post("/login/", json={"username": "alice", "password": "x" * 9},
                               csrf=False)
        assert response.status_code == 415
    assert login(client, "alice").status_code == 302


def test_joins_are_limited_per_address(app):
    codes = [app.test_client().post("/join/", data={"username": f"spammer{n}", "password": "password123",
                                         "email": f"s{n}@example.com"},
                         environ_base={"REMOTE_ADDR": ADDRESS_A}).status_code
             for n in range(12)]
    assert codes[:10] == [302] * 10
    assert codes[10:] == [429, 429]
    assert User.select().count() == 10
    other = app.test_client().post("/join/", data={"username": "honest", "password": "password123",
                                        "email": "h@example.com"},
                        environ_base={"REMOTE_ADDR": ADDRESS_B})
    assert other.status_code == 302


@pytest.mark.parametrize("setting, url, data, words, model", [
    ("POST_LIMIT_PER_USER", "/create/", {"content": "spam"}, "posting too fast", Message),
    ("REPORT_LIMIT_PER_USER", "/messages/{message}/report/", {"category": "spam"},
     "many reports", Report),
    ("FOLLOW_LIMIT_PER_USER", "/users/{target}/follow/", {}, "following people too fast",
     Relationship),
])
def test_posting_reporting_and_following_are_limited_per_account(app, auth, make_user,
                                                                 make_message, setting, url,
                                                                 data, words, model):
    app.config[setting] = "3 per minute"
    make_user("alice")
    targets = [make_user(f"target{n}") for n in range(5)]
    messages = [make_message(t, f"message {n}") for n, t in enumerate(targets)]
    auth.login("alice")
    codes = []
    for n in range(4):
        codes.append(auth.client.post(url.format(message=messages[n].id,
                                                 target=targets[n].username),
                                      data=data).status_code)
    assert codes[:3] == [302] * 3
    before = model.select().count()
    assert_limited(auth.client.post(url.format(message=messages[4].id,
                                               target=targets[4].username), data=data), words)
    assert model.select().count() == before


def test_the_settings_password_check_is_limited(app, auth, make_user):
    make_user("alice")
    auth.login("alice")
    form = {"email": "alice@example.com", "bio": "", "new_password": "another password"}
    for _ in range(5):
        response = auth.client.post("/settings/", data={**form, "current_password": "guess123"})
        assert response.status_code == 422
    assert_limited(auth.client.post("/settings/", data={**form, "current_password": "guess123"}),
                   "Too many wrong passwords")
    # saving the email or bio alone was never what was limited
    assert User.get(User.username == "alice").check_password("password123")


def test_a_limit_answers_json_to_a_client_that_asks_for_it(app, auth, make_user):
    app.config["POST_LIMIT_PER_USER"] = "1 per minute"
    make_user("alice")
    auth.login("alice")
    auth.client.post("/create/", data={"content": "one"})
    response = auth.client.post("/create/", data={"content": "two"},
                                headers={"Accept": "application/json"})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 429 and "posting too fast" in response.json["detail"]
    assert "Retry-After" in response.headers


def test_ratelimit_enabled_0_turns_every_limit_off(make_app):
    client = make_app(RATELIMIT_ENABLED=False, JOIN_LIMIT_PER_IP="1 per hour").test_client()
    codes = [client.post("/join/", data={"username": f"user{n}", "password": "password123",
                                         "email": f"u{n}@example.com"}).status_code
             for n in range(3)]
    assert codes == [302, 302, 302]


def test_x_forwarded_for_counts_only_with_trusted_proxies(make_app):
    """Without TRUSTED_PROXIES a client cannot pick its address with a header; with it,
    the proxy's client is the address that counts."""
    def app_with(hops):
        return make_app(TRUSTED_PROXIES=hops, JOIN_LIMIT_PER_IP="1 per hour")

    def join(app, n, forwarded):
        return app.test_client().post("/join/", data={"username": f"proxied{n}",
                                                      "password": "password123",
                                                      "email": f"p{n}@example.com"},
                                      headers={"X-Forwarded-For": forwarded}).status_code

    direct = app_with(0)
    assert [join(direct, 1, "10.0.0.1"), join(direct, 2, "10.0.0.2")] == [302, 429]
    proxied = app_with(1)
    assert [join(proxied, 3, "10.0.0.1"), join(proxied, 4, "10.0.0.2")] == [302, 302]
    assert join(proxied, 5, "10.0.0.1") == 429


class NoTimer:
    """threading.Timer that counts its starts and never runs."""
    started = 0

    def __init__(self, *args, **kwargs):
        pass

    def start(self):
        NoTimer.started += 1

    def is_alive(self):
        return False


def test_memory_counters_start_no_thread_per_request(monkeypatch):
    """memory:// counts without starting a thread (limits' own started a 10 ms timer
    whenever the last had ended), and counts the same."""
    storage = storage_from_string("memory://")
    monkeypatch.setattr(threading, "Timer", NoTimer)
    NoTimer.started = 0
    for _ in range(100):
        storage.incr("api:user:1", 60)
    assert NoTimer.started == 0
    assert storage.get("api:user:1") == 100


def test_expired_memory_counters_are_swept_and_read_as_zero():
    storage = storage_from_string("memory://")
    storage.SWEEP_SECONDS = 0  # every count sweeps
    storage.incr("old", 0.01)
    time.sleep(0.02)
    assert storage.get("old") == 0
    storage.incr("old2", 0.01)
    time.sleep(0.02)
    storage.incr("new", 60)
    assert "old2" not in storage.storage and storage.get("new") == 1
