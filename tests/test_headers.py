"""Security headers, and no third party told who reads what unless the operator says so."""
import re
from urllib.parse import urlsplit

import pytest


def csp(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


@pytest.mark.parametrize("url", ["/", "/public/", "/login/", "/users/nobody/"])
def test_a_real_content_security_policy_on_every_page(client, url):
    policy = csp(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and policy["script-src"][1].startswith("'nonce-")
    assert len(policy["script-src"]) == 2                 # no 'unsafe-inline', no host
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "https://www.gravatar.com" not in policy["img-src"]


def test_flask_admin_scripts_carry_the_request_s_nonce(client, auth, make_user):
    make_user("mod", role="moderator")
    auth.login("mod")
    response = client.get("/admin/")
    nonce = csp(response)["script-src"][1][len("'nonce-"):-1]
    scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
    inline = [s for s in scripts if "src=" not in s]
    assert inline and all(f'nonce="{nonce}"' in s for s in inline)


@pytest.mark.parametrize("path", ["/admin/", "/admin/message/", "/admin/report/"])
def test_kept_parts_of_back_office_pages_carry_each_request_s_nonce(client, auth, make_user,
                                                                     path):
    """Menus, style sheets and scripts are kept between requests: the nonce is not."""
    make_user("mod", role="moderator")
    auth.login("mod")
    for _ in range(3):
        response = client.get(path)
        nonce = csp(response)["script-src"][1][len("'nonce-"):-1]
        html = response.get_data(as_text=True)
        tags = re.findall(r"<(?:script|link rel=\"stylesheet\"|link href=[^>]*stylesheet)\b[^>]*>", html)
        found = re.findall(r'nonce="([^"]*)"', html)
        assert len(tags) >= 5 and found and set(found) == {nonce}


def test_hsts_only_when_cookies_are_secure(make_app):
    plain = make_app().test_client().get("/login/", base_url="https://localhost")
    assert "Strict-Transport-Security" not in plain.headers
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    response = secure.get("/login/", base_url="https://localhost")
    max_age = re.match(r"max-age=(\d+)", response.headers["Strict-Transport-Security"])
    assert int(max_age.group(1)) >= 365 * 86400


def test_pages_of_a_logged_in_person_are_not_stored(client, auth, make_user):
    assert "no-store" not in client.get("/public/").headers.get("Cache-Control", "")
    make_user("alice")
    auth.login("alice")
    for url in ("/", "/public/", "/settings/", "/users/alice/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_gravatar_is_off_by_default():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "from adminapp.config import Config; "
                          "print(Config.GRAVATAR)"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    assert out.strip() == "False"


def other_hosts(html):
    """The hosts a page loads anything from (src, link href, CSS url()), other than itself."""
    refs = re.findall(r'\bsrc="([^"]+)"', html) + re.findall(r'<link\b[^>]*href="([^"]+)"', html)
    refs += re.findall(r"url\(([^)]+)\)", html)
    return {urlsplit(ref.strip("'\"")).netloc for ref in refs} - {""}


def test_a_default_page_references_no_other_host(client, auth, make_user, make_message):
    alice = make_user("alice")
    make_message(alice, "see https://example.org/page for more")   # a link, not a resource
    for url in ("/public/", "/users/", "/users/alice/", "/login/"):
        assert other_hosts(client.get(url).get_data(as_text=True)) == set(), url
    auth.login("alice")
    assert other_hosts(client.get("/").get_data(as_text=True)) == set()


def test_with_gravatar_on_the_policy_names_it_and_failed_images_leave_the_initials(make_app):
    app = make_app(GRAVATAR=True)
    with app.app_context():
        from adminapp.models import Message, User, utcnow
        user = User.create_account("alice", "alice@example.com", "password123")
        Message.create(user=user, content="hi", pub_date=utcnow())
    response = app.test_client().get("/public/")
    assert "https://www.gravatar.com" in csp(response)["img-src"]
    html = response.get_data(as_text=True)
    assert other_hosts(html) == {"www.gravatar.com"}
    assert "js/site.js" in html     # removes an avatar image that fails to load
