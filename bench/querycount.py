"""Count the SQL queries each page runs, in-process.

peewee logs every query it executes to the `peewee` logger at DEBUG, as a
(sql, params) tuple; a handler on that logger counts them while the Flask test
client loads a page. Each page is loaded once first (a cold first request may
do more, and it shows the flash message of the login), then counted REPEAT
times. Run by bench/run.py in a process of its own:

    python -m bench.querycount '<spec as JSON>'

spec: {"app": "tweepee" | "example", "dir": the example's working directory,
       "logins": [{"username": ..., "password": ..., "paths": [...]}, ...]}
tweepee is built by create_app() from the environment (DATABASE_URL,
SECRET_KEY), as gunicorn builds it. Prints one line of JSON:
[{"username": ..., "path": ..., "status": 200, "counts": [n, n, n]}, ...].
"""
import importlib
import json
import logging
import os
import sys

from .client import csrf_token

REPEAT = 3


class QueryCounter(logging.Handler):
    """Counts the query records peewee logs (other DEBUG lines are not queries)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if isinstance(record.msg, tuple):
            self.count += 1


def load_app(spec):
    """The Flask app of `spec`: tweepee's create_app(), or the example's module-level app."""
    if spec["app"] == "tweepee":
        from adminapp import create_app
        return create_app()
    os.chdir(spec["dir"])  # the example opens tweepee.db relative to its working directory
    sys.path.insert(0, spec["dir"])
    return importlib.import_module("app").app


def log_in(client, username, password):
    """Log the test client in through the login form; raises RuntimeError when refused."""
    fields = {"username": username, "password": password}
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    if token:
        fields["csrf_token"] = token
    response = client.post("/login/", data=fields)
    if response.status_code not in (302, 303):
        raise RuntimeError(f"logging in as {username} answered {response.status_code}")


def count_pages(app, logins):
    """Return the query counts of every path of every login (see the module docstring)."""
    counter = QueryCounter()
    logger = logging.getLogger("peewee")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    results = []
    for login in logins:
        client = app.test_client()
        log_in(client, login["username"], login["password"])
        for path in login["paths"]:
            client.get(path)  # warm: the first request after login also shows its flash
            counts, status = [], None
            for _ in range(REPEAT):
                counter.count = 0
                status = client.get(path).status_code
                counts.append(counter.count)
            results.append({"username": login["username"], "path": path, "status": status,
                            "counts": counts})
    return results


def main(argv=None):
    spec = json.loads((argv or sys.argv[1:])[0])
    app = load_app(spec)
    print(json.dumps(count_pages(app, spec["logins"])))


if __name__ == "__main__":
    main()
