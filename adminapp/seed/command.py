"""The seeding command line: `python seed_data.py [options]` and `flask --app adminapp seed`."""
import argparse
import os
import sys

from adminapp import db
from adminapp.db import database

from . import DEMO_PASSWORD, NotEmpty, seed, summary
from .clock import parse_now

# The repository root (adminapp/seed/ is two levels below it): --database defaults to
# its instance/tweepee.db, as the app does when DATABASE_URL is unset.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv):
    """Return the parsed command line (argparse exits with status 2 on bad arguments)."""
    parser = argparse.ArgumentParser(description="Fill the tweepee database with demo data.")
    parser.add_argument("--users", type=int, default=200,
                        help="people, the 3 demo accounts included")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--follows", type=int, default=20, help="follows per user")
    parser.add_argument("--seed", type=int, default=1, help="same seed and --now, same rows")
    parser.add_argument("--reset", action="store_true", help="empty the tables first")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL")
                        or db.default_url(os.path.join(REPO_ROOT, "instance")))
    parser.add_argument("--demo-password", default=DEMO_PASSWORD)
    parser.add_argument("--now", type=parse_now, default=None,
                        help="anchor for every date (default: now, UTC, to the minute)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv=None):
    """Run the command line; returns the exit status (0, or 1 when refused or invalid)."""
    args = parse_args(argv)
    db.connect(args.database)
    db.migrate()
    try:
        figures = seed(args.users, args.messages, args.follows, seed=args.seed, reset=args.reset,
                       demo_password=args.demo_password, now=args.now, progress=not args.quiet)
    except (NotEmpty, ValueError) as exc:  # models.ValidationError is a ValueError
        print(f"seed_data.py: {exc}", file=sys.stderr)
        return 1
    finally:
        database.close()
    print(summary(figures, args.demo_password))
    return 0
