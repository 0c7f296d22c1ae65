"""Search pages timed in-process: the back office's message search, /search/ and /tags/.

    .venv/bin/python -m bench.search_timing --db sqlite:///bench/data/x.db

On a seeded database (seed_data.py: every account has the demo password), logged in as
`moderator`, it picks a common word, a middling one and a rare one from the index, and
the most used tag, then serves each page through Flask's test client: the median of
`--rounds` batches of `--batch` requests, in milliseconds per page, and the same for the
search's SQL alone (the list's query as the back office runs it). It prints; it asserts
nothing.
"""
import argparse
import re
import statistics
import time

from adminapp import create_app, db
from adminapp.db import database
from adminapp.models import Message, MessageTag
from peewee import SQL, fn


def words_by_frequency():
    """(common, middling, rare) words of the messages, with how many messages hold each."""
    if db.is_sqlite():
        database.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_words "
                             "USING fts5vocab(main, message_fts, row)")
        pick = "SELECT term, doc FROM temp.fts_words WHERE doc {} ORDER BY doc DESC LIMIT 1"
    else:
        database.execute_sql("CREATE TEMP TABLE IF NOT EXISTS fts_words AS SELECT word AS term, "
                             "ndoc AS doc FROM ts_stat('SELECT search_vector FROM message')")
        pick = "SELECT term, doc FROM fts_words WHERE doc {} ORDER BY doc DESC LIMIT 1"
    total = Message.select(fn.MAX(Message.id)).scalar() or 1
    found = []
    for bound in (f"<= {total}", f"<= {max(total // 1000, 20)}", "<= 10"):
        row = database.execute_sql(pick.format(bound)).fetchone()
        # a word of letters (not a number), so that it reads as a search
        found.append(tuple(row) if row else ("hello", 0))
    return found


def timed(client, path, rounds, batch):
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(batch):
            client.get(path)
        times.append((time.perf_counter() - started) / batch * 1000)
    return statistics.median(times)


def timed_sql(view, text, rounds, batch):
    """The back office list's query for `text` (its page of rows), as get_list builds it."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(batch):
            _, query = view.get_list(0, None, None, text, [], execute=False)
            list(query)
        times.append((time.perf_counter() - started) / batch * 1000)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="DATABASE_URL of a seeded database")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args(argv)
    app = create_app({"DATABASE_URL": args.db, "SECRET_KEY": "x" * 32,
                      "RATELIMIT_ENABLED": False, "SUSPENSION_CHECK_SECONDS": 0})
    client = app.test_client()
    html = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/login/", data={"username": "moderator", "password": "tweepee-demo",
                                 "csrf_token": token})
    with app.app_context():
        database.connect(reuse_if_open=True)
        messages = Message.select(fn.COUNT(SQL("*"))).scalar()
        words = words_by_frequency()
        tag = (MessageTag.select(MessageTag.tag, fn.COUNT(SQL("*")).alias("n"))
               .group_by(MessageTag.tag).order_by(SQL("n").desc()).limit(1).tuples().first())
        view = next(v for v in app.extensions["admin"][0]._views
                    if getattr(v, "endpoint", "") == "message")
        print(f"{type(database.obj).__name__}, {messages:,} messages; median of {args.rounds} "
              f"batches of {args.batch}, ms per page (in-process, logged in as moderator)")
        for word, count in words:
            sql_ms = timed_sql(view, word, args.rounds, args.batch)
            page_ms = timed(client, f"/admin/message/?search={word}", args.rounds, args.batch)
            print(f"  /admin/message/?search={word:<14} ({count:>7,} messages)  "
                  f"page {page_ms:7.2f}   its query {sql_ms:6.2f}")
        for word, count in words:
            print(f"  /search/?q={word:<22} ({count:>7,} messages)  "
                  f"page {timed(client, f'/search/?q={word}', args.rounds, args.batch):7.2f}")
        if tag:
            print(f"  /tags/{tag[0]}/{'':<{max(0, 21 - len(tag[0]))}} ({tag[1]:>7,} messages)  "
                  f"page {timed(client, f'/tags/{tag[0]}/', args.rounds, args.batch):7.2f}")
        for path in ("/public/", "/admin/message/"):
            print(f"  {path:<40}          page {timed(client, path, args.rounds, args.batch):7.2f}")


if __name__ == "__main__":
    main()
