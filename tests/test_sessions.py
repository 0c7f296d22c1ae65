"""Login sessions that end when they should: a cookie captured before the event and
replayed after it no longer logs anyone in (session and remember-me cookies alike)."""
from adminapp import moderation
from adminapp.models import LoginSession, User

SESSION, REMEMBER = "session", "remember_token"


def log_in(app, username, remember=False, password="password123"):
    """A new browser (test client) logged in as `username`."""
    browser = app.test_client()
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login/", data=data).status_code == 302
    return browser


def captured(browser, name):
    """The value of the cookie `name` the browser holds now."""
    cookie = browser.get_cookie(name)
    assert cookie is not None, name
    return cookie.value


def replay(app, **cookies):
    """A fresh browser that sends only the given cookies; returns the status of /private/."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/private/").status_code


def test_a_session_cookie_works_until_logout_and_not_after(app, make_user):
    make_user("alice")
    browser = log_in(app, "alice")
    stolen = captured(browser, SESSION)
    assert replay(app, session=stolen) == 200
    assert browser.post("/logout/").status_code == 302
    assert replay(app, session=stolen) == 302     # to the login page: the session is over


def test_a_remember_me_cookie_dies_with_its_session(app, make_user):
    make_user("alice")
    browser = log_in(app, "alice", remember=True)
    token = captured(browser, REMEMBER)
    assert replay(app, remember_token=token) == 200
    browser.post("/logout/")
    assert replay(app, remember_token=token) == 302


def test_each_login_has_its_own_token(app, make_user):
    make_user("alice")
    first = captured(log_in(app, "alice", remember=True), REMEMBER)
    second = captured(log_in(app, "alice", remember=True), REMEMBER)
    assert first != second
    assert LoginSession.select().count() == 2
    # the database holds digests, never the tokens
    assert not LoginSession.select().where(LoginSession.token_hash.contains(first[:20])).exists()


def test_logging_out_ends_only_that_session(app, make_user):
    make_user("alice")
    laptop, phone = log_in(app, "alice"), log_in(app, "alice")
    laptop.post("/logout/")
    assert phone.get("/private/").status_code == 200


def test_a_password_change_ends_every_other_session_and_says_so(app, make_user):
    make_user("alice")
    laptop, phone = log_in(app, "alice"), log_in(app, "alice", remember=True)
    old_cookie, old_token = captured(phone, SESSION), captured(phone, REMEMBER)
    response = laptop.post("/settings/", data={"email": "alice@example.com", "bio": "",
                                               "current_password": "password123",
                                               "new_password": "a new password"},
                           follow_redirects=True)
    assert "other session is logged out" in response.get_data(as_text=True)
    assert laptop.get("/private/").status_code == 200          # this session goes on
    assert replay(app, session=old_cookie) == 302
    assert replay(app, remember_token=old_token) == 302
    page = phone.get("/public/").get_data(as_text=True)
    assert "Your password was changed" in page                 # the other browser is told


def test_suspension_ends_every_session_and_a_restore_does_not_revive_them(app, make_user):
    mod, alice = make_user("mod", role="moderator"), make_user("alice")
    browser = log_in(app, "alice", remember=True)
    cookie, token = captured(browser, SESSION), captured(browser, REMEMBER)
    moderation.suspend_user(mod, alice, "spam")
    page = browser.get("/public/").get_data(as_text=True)
    assert "Your account is suspended" in page
    moderation.restore_user(mod, User.get_by_id(alice.id))
    assert replay(app, session=cookie) == 302
    assert replay(app, remember_token=token) == 302
    assert log_in(app, "alice").get("/private/").status_code == 200   # a new login works


def test_a_role_change_ends_every_session(app, make_user):
    root, bob = make_user("root", role="admin"), make_user("bob")
    browser = log_in(app, "bob", remember=True)
    cookie, token = captured(browser, SESSION), captured(browser, REMEMBER)
    moderation.set_role(root, bob, "moderator")
    assert replay(app, session=cookie) == 302
    assert replay(app, remember_token=token) == 302
    assert "Your role on tweepee changed" in browser.get("/public/").get_data(as_text=True)


def test_log_out_everywhere_ends_every_session_this_one_included(app, make_user):
    make_user("alice")
    laptop, phone = log_in(app, "alice"), log_in(app, "alice", remember=True)
    cookies = [captured(laptop, SESSION), captured(phone, SESSION)]
    token = captured(phone, REMEMBER)
    page = laptop.get("/settings/").get_data(as_text=True)
    assert "Log out everywhere" in page
    response = laptop.post("/settings/logout-everywhere/", follow_redirects=True)
    assert "logged out everywhere" in response.get_data(as_text=True)
    assert laptop.get("/private/").status_code == 302
    assert phone.get("/private/").status_code == 302
    assert all(replay(app, session=cookie) == 302 for cookie in cookies)
    assert replay(app, remember_token=token) == 302
    assert not LoginSession.select().where(LoginSession.ended_at.is_null()).exists()


def test_log_out_everywhere_is_a_post_with_a_csrf_token(app, make_user):
    make_user("alice")
    browser = log_in(app, "alice")
    assert browser.get("/settings/logout-everywhere/").status_code == 405
    assert browser.post("/settings/logout-everywhere/", csrf=False).status_code == 400
    assert browser.get("/private/").status_code == 200


def test_login_starts_a_fresh_session_a_csrf_token_from_before_is_refused(app, make_user):
    make_user("alice")
    browser = app.test_client()
    before = browser.csrf_token()                         # taken while anonymous
    response = browser.post("/login/", data={"username": "alice", "password": "password123",
                                             "csrf_token": before})
    assert response.status_code == 302
    refused = browser.post("/create/", data={"content": "hello", "csrf_token": before})
    assert refused.status_code == 400
    assert browser.post("/create/", data={"content": "hello"}).status_code == 302


def test_a_garbage_session_id_is_anonymous(app):
    from flask.sessions import SecureCookieSessionInterface
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    for value in ("1", "x" * 500, "", "999999999999999999999"):
        forged = serializer.dumps({"_user_id": value, "_fresh": True})
        assert replay(app, session=forged) == 302


def test_a_deleted_user_s_sessions_go_with_them(app, make_user):
    root, alice = make_user("root", role="admin"), make_user("alice")
    browser = log_in(app, "alice")
    moderation.delete_user(root, alice, "gone")
    assert not LoginSession.select().exists()
    assert browser.get("/private/").status_code == 302
