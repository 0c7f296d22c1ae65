"""The ceiling: a bare one-route Flask app, served the same way as tweepee.

Whatever a page of tweepee costs is measured against what Flask, gunicorn and
the load generator cost on their own on this machine, in the same run:

    gunicorn --workers 2 bench.ceiling:app
"""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    """The cheapest page Flask can serve."""
    return "Hello, World!"
