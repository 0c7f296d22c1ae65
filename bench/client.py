"""A small HTTP client to prepare a run: log in, keep the cookies, follow "next" links.

It sends no User-Agent, like wrk: Flask-Login's session protection ties a
session to the User-Agent it logged in with, and re-signs the cookie on every
response when it differs (bench/README.md, "What one run does"). So the
session made here is the one the load generator sends, as a Cookie header.
"""
import http.client
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

HOST = "127.0.0.1"
TIMEOUT = 120  # seconds for one response: the peewee example is slow on big tables


class LoginError(RuntimeError):
    """Logging in did not give a session."""


@dataclass
class Reply:
    status: int
    location: str
    text: str
    sets_cookie: bool


class Browser:
    """Cookie-keeping GETs and form POSTs against one server on 127.0.0.1."""

    def __init__(self, port, host=HOST):
        self.host, self.port = host, port
        self.cookies = {}

    def cookie_header(self):
        """The Cookie header value for the cookies held now ('' when none)."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, body=None, content_type=None):
        """Send one request on a fresh connection; returns a Reply and keeps its cookies."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            set_cookies = response.headers.get_all("Set-Cookie") or []
            location = response.getheader("Location") or ""
        finally:
            conn.close()
        for header in set_cookies:
            self.keep_cookie(header)
        return Reply(response.status, location, text, bool(set_cookies))

    def keep_cookie(self, header):
        """Store (or drop, when it expires it) the cookie of one Set-Cookie header."""
        pair, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = pair.partition("=")
        attributes = [attr.lower() for attr in attributes]
        expired = "max-age=0" in attributes or any(attr.startswith("expires=thu, 01 jan 1970")
                                                   for attr in attributes)
        if expired or not value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        return self.request("POST", path, body=urlencode(fields),
                            content_type="application/x-www-form-urlencoded")

    def login(self, username, password, path="/login/"):
        """Log in through the login form (with its CSRF token when it has one).

        Raises LoginError unless the form answers with a redirect away from the login page.
        """
        form = self.get(path)
        fields = {"username": username, "password": password}
        token = find_input_value(form.text, "csrf_token")
        if token:
            fields["csrf_token"] = token
        reply = self.post_form(path, fields)
        if reply.status not in (302, 303) or urlsplit(reply.location).path == path:
            raise LoginError(f"logging in as {username!r} answered {reply.status} "
                             f"(location {reply.location!r})")

    def settle(self, paths, rounds=5):
        """GET `paths` until none of them sets a cookie (flash messages, CSRF token in the
        session); returns True when the cookies are stable, False if a page keeps setting one."""
        for _ in range(rounds):
            if not any([self.get(path).sets_cookie for path in paths]):
                return True
        return False

    def follow_next(self, path, times):
        """Follow the rel="next" link `times` times from `path`; returns (url, steps taken).

        Stops early, on the last page, when a page has no such link.
        """
        for step in range(times):
            reply = self.get(path)
            if reply.status != 200:
                raise RuntimeError(f"GET {path} answered {reply.status} while paging")
            href = find_link(reply.text, "next")
            if href is None:
                return path, step
            path = urljoin(path, href)
        return path, times


class _TagFinder(HTMLParser):
    """Collect the attributes of every start tag called `tag`."""

    def __init__(self, tag):
        super().__init__(convert_charrefs=True)
        self.tag, self.found = tag, []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag:
            self.found.append(dict(attrs))


def find_tags(html, tag):
    """The attribute dicts of the `tag` start tags of `html` (values unescaped)."""
    finder = _TagFinder(tag)
    finder.feed(html)
    finder.close()
    return finder.found


def find_link(html, rel):
    """The href of the first <a> whose rel holds `rel`, or None."""
    for attrs in find_tags(html, "a"):
        if rel in (attrs.get("rel") or "").split() and attrs.get("href"):
            return attrs["href"]
    return None


def find_input_value(html, name):
    """The value of the first <input name=`name`>, or None."""
    for attrs in find_tags(html, "input"):
        if attrs.get("name") == name:
            return attrs.get("value")
    return None
