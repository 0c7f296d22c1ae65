"""A small HTTP client: keep the cookies, read the CSRF token, log in, follow "next" links.

The one client of the benchmark and of the tests (tests/server_support.py
subclasses it): one cookie jar for every server it talks to (cookies are not
scoped by port, so a session goes to every server on 127.0.0.1), each request
on a fresh connection, no redirect followed, and the CSRF token read from the
page (`<meta name="csrf-token">`, else the form's `csrf_token` field).

It sends no User-Agent, like wrk: Flask-Login's session protection ties a
session to the User-Agent it logged in with, and re-signs the cookie on every
response when it differs (bench/README.md, "What one run does"). So the
session the benchmark makes here is the one the load generator sends, as a
Cookie header.
"""
import http.client
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

TIMEOUT = 120  # seconds for one response: the peewee example is slow on big tables


class ClientError(RuntimeError):
    """A page did not answer as the client needs (no CSRF token, a refused login)."""


class LoginError(ClientError):
    """Logging in did not give a session."""


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    elapsed: float  # seconds, from sending the request to the end of the body
    url: str

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        """The Location header ('' when there is none)."""
        return self.headers.get("Location") or ""

    @property
    def sets_cookie(self):
        return bool(self.headers.get_all("Set-Cookie"))

    def __repr__(self):
        return f"<{self.status} {self.url} {self.elapsed * 1000:.0f} ms>"


class Browser:
    """Cookie-keeping GETs and form POSTs against one or more servers.

    `servers` are base URLs (or objects with a `url`, like bench.servers.Server);
    a request goes to `server=` (an index or a base URL), or round robin over
    the servers when none is given.
    """

    def __init__(self, *servers, timeout=TIMEOUT):
        self.servers = [s if isinstance(s, str) else s.url for s in servers]
        self.timeout = timeout
        self.cookies = {}
        self.csrf = None  # the CSRF token of the session, once read
        self._next = 0

    def base(self, server=None):
        """The base URL of `server` (an index or a URL), or of the next one in turn."""
        if server is None:
            server = self._next % len(self.servers)
            self._next += 1
        return self.servers[server] if isinstance(server, int) else server

    def cookie_header(self):
        """The Cookie header value for the cookies held now ('' when none)."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, form=None, server=None, timeout=None):
        """Send one request on a fresh connection (a form is url-encoded); returns a Reply
        and keeps its cookies."""
        base = self.base(server)
        parts = urlsplit(base)
        headers = {"Connection": "close"}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        started = time.perf_counter()
        conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=timeout or self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        reply = Reply(response.status, response.headers, data, time.perf_counter() - started,
                      base + path)
        for header in response.headers.get_all("Set-Cookie") or []:
            self.keep_cookies(header)
        return reply

    def keep_cookies(self, header):
        """Store (or drop, when it expires them) the cookies of one Set-Cookie header."""
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or morsel.value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, fields, **kwargs):
        """POST `fields` as they are (no CSRF token added)."""
        return self.request("POST", path, form=fields, **kwargs)

    def post(self, path, data=None, **kwargs):
        """POST a form with the session's CSRF token (read once from /public/ if none yet)."""
        if self.csrf is None:
            self.refresh_csrf(server=kwargs.get("server"))
        return self.post_form(path, {"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def refresh_csrf(self, path="/public/", server=None):
        """Read the CSRF token from `path` (the token is bound to the session: read it again
        after logging in); ClientError when the page has none."""
        page = self.get(path, server=server)
        token = csrf_token(page.text)
        if page.status != 200 or not token:
            raise ClientError(f"no CSRF token on {path} ({page!r})")
        self.csrf = token
        return token

    def login(self, username, password, path="/login/", server=None):
        """Log in through the login form at `path` (with its CSRF token when it has one);
        returns the form's answer.

        Raises LoginError unless the form answers with a redirect away from the login page.
        """
        server = self.base(server)  # the form and its POST on the same server
        fields = {"username": username, "password": password}
        token = csrf_token(self.get(path, server=server).text)
        if token:
            fields["csrf_token"] = token
        reply = self.post_form(path, fields, server=server)
        if reply.status not in (302, 303) or urlsplit(reply.location).path == path:
            raise LoginError(f"logging in as {username!r} answered {reply.status} "
                             f"(location {reply.location!r})\n{reply.text[:2000]}")
        return reply

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


def csrf_token(html):
    """The page's CSRF token: `<meta name="csrf-token">`, else the form's `csrf_token`
    field; None when the page has neither (the peewee example)."""
    for attrs in find_tags(html, "meta"):
        if attrs.get("name") == "csrf-token" and attrs.get("content"):
            return attrs["content"]
    return find_input_value(html, "csrf_token")
