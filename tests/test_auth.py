"""Joining, logging in and out, passwords, throttling, redirects, cookies, headers."""
import hashlib

import pytest

from adminapp import create_app, db
from adminapp.config import TestConfig
from adminapp.models import User
from tests.conftest import config_dict


def test_join_creates_account_and_logs_in(client):
    response = client.post("/join/", data={"username": "alice", "email": "alice@example.com",
                                           "password": "correct horse"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = User.get(User.username == "alice")
    assert user.role == "user" and user.password_hash.startswith("scrypt:")
    assert "correct horse" not in user.password_hash
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_join_refuses_a_username_taken_in_another_case(client, make_user):
    make_user("Alice")
    response = client.post("/join/", data={"username": "alice", "email": "a2@example.com",
                                           "password": "password123"})
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)
    assert User.select().count() == 1


def test_login_is_case_insensitive_and_redirects_home(client, auth, make_user):
    make_user("Alice")
    response = auth.login("ALICE")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_password_is_401_with_a_message(client, auth, make_user):
    make_user("alice")
    response = auth.login("alice", "wrong password")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302


def test_unknown_user_gives_the_same_message(client, auth):
    response = auth.login("nobody", "whatever1")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)


def test_logout_ends_the_session(client, auth, make_user):
    make_user("alice")
    auth.login("alice")
    assert client.get("/private/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/private/").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/users/", "/users/"),
    ("/private/?before=x", "/private/?before=x"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_goes_to_same_site_paths(client, make_user, target, expected):
    make_user("alice")
    response = client.post("/login/", query_string={"next": target},
                           data={"username": "alice", "password": "password123"})
    assert response.headers["Location"] == expected


def test_legacy_md5_hash_is_accepted_once_and_upgraded(client, auth, make_user):
    user = make_user("old")
    legacy = hashlib.md5(b"legacy-pass").hexdigest()
    User.update(password_hash=legacy).where(User.id == user.id).execute()
    assert auth.login("old", "legacy-pass").status_code == 302
    stored = User.get_by_id(user.id).password_hash
    assert stored.startswith("scrypt:") and stored != legacy
    auth.logout()
    assert auth.login("old", "legacy-pass").status_code == 302  # still the same password
    auth.logout()
    assert auth.login("old", "wrong-pass").status_code == 401


def test_failed_logins_are_throttled_per_username(client, auth, make_user):
    make_user("alice")
    for _ in range(5):
        assert auth.login("alice", "wrong password").status_code == 401
    response = auth.login("alice", "password123")  # even the right password waits
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert auth.login("bob", "wrong password").status_code == 401  # other names are not blocked


def test_failed_logins_are_throttled_per_ip(app, client, auth):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per minute"
    for name in ("a1", "a2", "a3"):
        assert auth.login(name, "wrong password").status_code == 401
    assert auth.login("a4", "wrong password").status_code == 429


def test_successful_logins_do_not_count(client, auth, make_user):
    make_user("alice")
    for _ in range(7):
        assert auth.login("alice").status_code == 302
        auth.logout()


def test_session_cookie_flags(client, make_user):
    make_user("alice")
    response = client.post("/login/", data={"username": "alice", "password": "password123"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_when_configured(tmp_path):
    app = create_app({**config_dict(TestConfig), "SESSION_COOKIE_SECURE": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    response = app.test_client().get("/login/")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("url", ["/", "/login/", "/users/nobody/"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_secret_key_is_generated_once_into_instance(tmp_path):
    config = {**config_dict(TestConfig), "SECRET_KEY": None, "DATABASE_URL": f"sqlite:///{tmp_path}/k.db"}
    first = create_app(config, instance_path=str(tmp_path / "instance"))
    second = create_app(config, instance_path=str(tmp_path / "instance"))
    key = first.config["SECRET_KEY"]
    assert len(key) >= 32 and key == second.config["SECRET_KEY"]
    assert key in open(f"{first.instance_path}/secret_key").read()


def test_passwords_use_scrypt_by_default():
    from adminapp.passwords import hash_password
    assert hash_password("password123").startswith("scrypt:32768:8:1$")


def redis_url():
    """The Redis server of this machine, or skip when none answers."""
    import redis
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as e:
        pytest.skip(f"no Redis at {url}: {e}")
    return url


def test_login_limits_are_kept_in_redis(tmp_path):
    """With RATELIMIT_STORAGE_URI=redis://, failed logins are counted in Redis, where
    every worker and server sees them."""
    import uuid

    import redis
    from tests.conftest import Client
    url, prefix = redis_url(), f"test-{uuid.uuid4().hex}"
    app = create_app({**config_dict(TestConfig), "RATELIMIT_STORAGE_URI": url,
                      "RATELIMIT_KEY_PREFIX": prefix, "DATABASE_URL": f"sqlite:///{tmp_path}/r.db"})
    app.test_client_class = Client
    db.migrate()
    client = app.test_client()
    codes = [client.post("/login/", data={"username": "someone", "password": "wrong pass1"}).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]
    server = redis.Redis.from_url(url)
    keys = server.keys(f"*{prefix}*")
    assert any(b"someone" in key for key in keys), keys
    server.delete(*keys)
