"""Demo data for tweepee: users, follows, messages and open reports, from a few rows to millions.

    python seed_data.py [--users N] [--messages M] [--follows F] [--seed S] [--reset]
                        [--database URL] [--demo-password P] [--now ISO-DATETIME] [--quiet]

The same seed and the same --now give the same rows (but for the moderation
timestamps: the verbs stamp the real time). Text comes from Faker, but
through a pool made once per run: a Faker sentence costs tens of microseconds,
so a million of them would take most of a minute; composing messages from the
pool with `random.Random(seed)` costs a few. Rows go in through the models with
bulk `insert_many`, in chunks, many chunks per transaction, and are streamed from
generators so memory stays flat whatever the number of messages. For big sets the
follows load in a second process while this one loads the messages: most of the
time is peewee building SQL, which is one core's work per process.

A few users are suspended and a few messages hidden through the moderation verbs
(with their audit rows), and about 0.1% of the messages carry an open report, so
the back office has work.

Every seeded user, the three demo accounts included, has the demo password:
one scrypt hash is computed and shared, since hashing per user would take minutes.
"""
import argparse
import bisect
import contextlib
import datetime
import itertools
import math
import os
import re
import sqlite3
import sys
import time
import unicodedata
from collections import namedtuple
from random import Random

from faker import Faker
from peewee import fn, sort_models
from tqdm import tqdm

from adminapp import db, moderation
from adminapp.auth.passwords import hash_password
from adminapp.db import database
from adminapp.models import (BIO_MAX, MESSAGE_MAX, MODELS, Message, Relationship, Report, User,
                             clean_content, clean_email, clean_password, clean_username)

REPO_ROOT = os.path.dirname(os.path.abspath(__file__))
DEMO_PASSWORD = "tweepee-demo"
DEMO_ACCOUNTS = (("admin", "admin"), ("moderator", "moderator"), ("demo", "user"))
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

JOIN_SPAN = datetime.timedelta(days=365)
MESSAGE_SPAN = datetime.timedelta(days=60)
NEWEST_AGE = datetime.timedelta(minutes=3)
REPORT_DELAY = datetime.timedelta(days=1)
GROWTH = 1.0  # the posting rate doubles over the message span: a site that is growing

DEMO_FOLLOWS = 20  # so that demo's private timeline has something to show
DEMO_FANS = 0.05  # the share of people who follow demo
REPORT_RATE = 0.001
MIN_REPORTS = 5
POPULARITY_ALPHA = 1.5  # Pareto shape: a few people post and are followed much more than most
REPORT_WEIGHTS = {"spam": 55, "abuse": 25, "illegal": 5, "other": 15}
HIDE_RATE = 0.0005
MIN_HIDDEN = 3
SUSPEND_RATE = 0.005
MODERATION_REASONS = ("Spam", "Abusive language", "Advertising", "Impersonation", "Off-topic")

MAX_CHUNK_ROWS = 5000
CHUNKS_PER_TRANSACTION = 20

Person = namedtuple("Person", "username email bio join_date role weight")
# What every loading phase needs: the seed, the time anchor, the text pool and the people.
Plan = namedtuple("Plan", "seed anchor pool people ids")
Pool = namedtuple("Pool", "first_names last_names bios sentences short tags links notes")


class NotEmpty(Exception):
    """The database already has users and no reset was asked for."""


def is_empty():
    """True when the user table has no rows (the tables must exist)."""
    return not User.select().exists()


def utc_minute():
    """The current UTC time, naive, truncated to the minute: the default anchor."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(second=0, microsecond=0)


def anchor_time(now):
    """Return the anchor of every date, naive UTC: `now` (datetime or ISO string) or this minute."""
    if now is None:
        return utc_minute()
    if isinstance(now, str):
        return parse_now(now)
    return now.astimezone(datetime.timezone.utc).replace(tzinfo=None) if now.tzinfo else now


def parse_now(text):
    """Return the naive UTC datetime for an ISO 8601 string; aware times are converted to UTC."""
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r} "
                                         "(use e.g. 2024-05-01T12:00:00)")
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


# --- the text pool -----------------------------------------------------------

def ascii_word(text):
    """Return `text` with accents folded and anything but letters and digits dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def make_pool(fake, size=3000):
    """Return a Pool of names, bios, sentences, hashtags, links and report notes from `fake`."""
    sentences = [fake.sentence() for _ in range(size)]
    sentences += [template(fake) for _ in range(size // 2)]
    return Pool(
        first_names=[ascii_word(fake.first_name()) or "Sam" for _ in range(1500)],
        last_names=[ascii_word(fake.last_name()) or "Lee" for _ in range(1500)],
        bios=[bio(fake) for _ in range(size // 4)],
        sentences=sentences,
        short=[fake.word().capitalize() + end for end in ("!", ".", "?", "...") for _ in range(50)],
        tags=[hashtag(fake) for _ in range(500)],
        links=[f"https://{fake.safe_domain_name()}/{fake.uri_path()}" for _ in range(500)],
        notes=["", "", "Spam.", "Looks like a bot.", "Not OK.", "Advertising."]
        + [fake.sentence() for _ in range(50)],
    )


def template(fake):
    """Return one everyday sentence built from Faker values (places, jobs, slogans)."""
    shapes = (
        lambda: f"Just got back from {fake.city()}. {fake.sentence()}",
        lambda: f"Working on how to {fake.bs()} today.",
        lambda: f"{fake.catch_phrase()}? {fake.sentence()}",
        lambda: f"Does anyone know a good {fake.job().lower()} in {fake.city()}?",
        lambda: f"Happy {fake.day_of_week()}! {fake.sentence()}",
        lambda: f"Reading about {fake.word()} and {fake.word()} again.",
    )
    return fake.random_element(shapes)()


def hashtag(fake):
    """Return a hashtag of one or two Faker words, like #Morning or #CoffeeTime."""
    words = fake.words(fake.random_int(1, 2))
    return "#" + "".join(ascii_word(word).capitalize() for word in words)


def bio(fake):
    """Return a short profile text, a quarter of the time empty."""
    shapes = (
        lambda: "",
        lambda: f"{fake.job()} in {fake.city()}.",
        lambda: f"{fake.catch_phrase()}. {fake.sentence()}",
        lambda: f"{fake.job()}. Opinions are my own.",
    )
    return fake.random_element(shapes)()[:BIO_MAX]


def trim(text, limit=MESSAGE_MAX):
    """Return `text` stripped and cut at a word boundary to at most `limit` characters."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit + 1].rsplit(" ", 1)[0].strip()
    return head if head else text[:limit]


def pick(rng, items):
    """Return a random element of `items` (rng.choice costs three times as much)."""
    return items[int(rng.random() * len(items))]


def compose(rng, pool):
    """Return one message text of 1-280 characters: sentences, sometimes a hashtag or a link."""
    roll = rng.random()
    if roll < 0.05:
        return pick(rng, pool.short)
    text = pick(rng, pool.sentences)
    for _ in range(0 if roll < 0.55 else 1 if roll < 0.85 else 3):
        text += " " + pick(rng, pool.sentences)
    roll = rng.random()
    if roll < 0.25:
        text += " " + pick(rng, pool.tags)
    elif roll > 0.94:
        text += " " + pick(rng, pool.links)
    return trim(text)


# --- people --------------------------------------------------------------------

def make_username(rng, pool, taken):
    """Return a new valid username from a pooled name, unique ignoring case; adds it to `taken`."""
    first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
    shapes = (f"{first}_{last}", f"{first}{last}", f"{first[0]}{last}", f"{first}_{last[0]}",
              f"{last}_{first}", f"{first}{rng.randint(1, 99)}", f"{first}{last}".lower())
    base = rng.choice(shapes)[:26]
    if rng.random() < 0.7:
        base = base.lower()
    name = base if len(base) >= 3 else base + "_00"
    while name.lower() in taken:
        name = f"{base}{rng.randint(2, 9999)}"
    taken.add(name.lower())
    return clean_username(name)


def make_people(rng, pool, count, anchor):
    """Return `count` Persons sorted by join date: the demo accounts first, then Faker people."""
    taken = {name for name, _ in DEMO_ACCOUNTS}
    demo_joined = anchor - JOIN_SPAN
    people = [Person(name, f"{name}@example.com", "", demo_joined + datetime.timedelta(minutes=i),
                     role, rng.paretovariate(POPULARITY_ALPHA))
              for i, (name, role) in enumerate(DEMO_ACCOUNTS)]
    others = []
    for _ in range(count - len(DEMO_ACCOUNTS)):
        name = make_username(rng, pool, taken)
        joined = anchor - JOIN_SPAN * rng.random()
        joined = max(joined.replace(microsecond=0), demo_joined + datetime.timedelta(hours=1))
        email = clean_email(f"{name.lower()}@{rng.choice(EMAIL_DOMAINS)}")
        others.append(Person(name, email, rng.choice(pool.bios), joined, "user",
                             rng.paretovariate(POPULARITY_ALPHA)))
    # Sorted, so ids grow with join dates and "who had joined by then" is a prefix of the list.
    others.sort(key=lambda person: (person.join_date, person.username))
    return people + others


def insert_people(people, password_hash, bar):
    """Insert `people` as users sharing `password_hash`; returns their ids, in the same order."""
    fields = [User.username, User.email, User.password_hash, User.join_date, User.role, User.bio]
    rows = ((p.username, p.email, password_hash, p.join_date, p.role, p.bio) for p in people)
    insert_rows(User, fields, rows, bar)
    # Read the ids back rather than choosing them: PostgreSQL's sequence must stay right.
    by_name = dict(User.select(fn.LOWER(User.username), User.id).tuples())
    return [by_name[p.username.lower()] for p in people]


# --- follows -------------------------------------------------------------------

def pick_targets(rng, me, cum_weights, count):
    """Return `count` distinct indexes other than `me`, drawn by the weights of `cum_weights`."""
    size = len(cum_weights)
    if count >= size - 1:
        return [j for j in range(size) if j != me]
    chosen, picks = {me}, []
    for _ in range(20):
        for j in rng.choices(range(size), cum_weights=cum_weights, k=count - len(picks)):
            if j not in chosen:
                chosen.add(j)
                picks.append(j)
        if len(picks) == count:
            return picks
    # Heavy weights can starve the last few picks: finish them uniformly.
    rest = [j for j in range(size) if j not in chosen]
    return picks + rng.sample(rest, count - len(picks))


def follow_date(rng, a, b, anchor):
    """Return when `a` followed `b`: after both had joined, before the anchor."""
    since = max(a.join_date, b.join_date)
    return since + datetime.timedelta(seconds=int(rng.random() * (anchor - since).total_seconds()))


def follow_rows(rng, people, ids, per_user, anchor):
    """Yield (from_id, to_id, created) tuples: `per_user` follows each, demo max(per_user, 20).

    Targets lean toward popular people; about 5% of people have demo among their picks.
    """
    cum_weights = list(itertools.accumulate(p.weight for p in people))
    demo = next(i for i, p in enumerate(people) if p.username == "demo")
    fans = set(rng.sample(range(len(people)), max(1, int(len(people) * DEMO_FANS))))
    for i, person in enumerate(people):
        count = max(per_user, DEMO_FOLLOWS) if i == demo else per_user
        targets = pick_targets(rng, i, cum_weights, count)
        if i in fans and i != demo and targets and demo not in targets:
            targets[-1] = demo
        for j in targets:
            yield ids[i], ids[j], follow_date(rng, person, people[j], anchor)


# --- messages and reports ---------------------------------------------------------

def spread(fraction):
    """Map a share of the messages (0-1) to a share of the time span: the rate grows by GROWTH."""
    # The cumulative count is t + GROWTH*t^2/2 (normalised); this is its inverse.
    total = 1 + GROWTH / 2
    return (math.sqrt(1 + 2 * GROWTH * fraction * total) - 1) / GROWTH


def message_times(rng, count, anchor):
    """Yield `count` increasing datetimes over MESSAGE_SPAN, the last NEWEST_AGE before `anchor`."""
    start = anchor - MESSAGE_SPAN
    span = (MESSAGE_SPAN - NEWEST_AGE).total_seconds()
    second = datetime.timedelta(seconds=1)
    for i in range(count):
        # One jittered slot per message keeps the times sorted without holding them all.
        fraction = 1.0 if i == count - 1 else (i + rng.random()) / count
        yield start + second * round(span * spread(fraction))


def message_rows(rng, pool, people, ids, count, anchor):
    """Yield (user_id, content, pub_date) tuples, oldest first, by people who had joined by then."""
    cum_weights = list(itertools.accumulate(p.weight for p in people))
    join_dates = [p.join_date for p in people]
    joined = 0
    for pub_date in message_times(rng, count, anchor):
        if joined < len(people) and join_dates[joined] <= pub_date:
            joined = bisect.bisect_right(join_dates, pub_date, joined)
        weight = rng.random() * cum_weights[joined - 1]
        author = bisect.bisect_right(cum_weights, weight, 0, joined - 1)
        yield ids[author], clean_content(compose(rng, pool)), pub_date


def message_ids_at(positions):
    """Return the ids of the messages at 0-based `positions` in id order (sorted positions)."""
    low, high, count = Message.select(fn.MIN(Message.id), fn.MAX(Message.id),
                                      fn.COUNT(Message.id)).tuples().get()
    if count and high - low + 1 == count:  # no gaps: the usual case, one writer
        return [low + p for p in positions]
    wanted = set(positions)
    ids = Message.select(Message.id).order_by(Message.id).tuples().iterator()
    return [mid for n, (mid,) in enumerate(ids) if n in wanted]


def sample_message_ids(rng, count, share, minimum):
    """Return the ids of `share` of the `count` messages (at least `minimum`), in id order."""
    wanted = min(count, max(minimum, round(count * share))) if count else 0
    return message_ids_at(sorted(rng.sample(range(count), wanted)))


def reported_messages(rng, count):
    """Return (id, user_id, pub_date) of REPORT_RATE of the `count` messages (see REPORT_RATE)."""
    ids = sample_message_ids(rng, count, REPORT_RATE, MIN_REPORTS)
    rows = []
    for chunk in batched(ids, chunk_size(1)):
        rows.extend(Message.select(Message.id, Message.user, Message.pub_date)
                    .where(Message.id.in_(chunk)).order_by(Message.id).tuples())
    return rows


def report_rows(rng, pool, people, ids, messages, anchor):
    """Yield (reporter_id, message_id, category, note, created): one open report per message.

    The reporter is someone other than the author who had joined before the message.
    """
    join_dates = [p.join_date for p in people]
    categories, weights = list(REPORT_WEIGHTS), list(REPORT_WEIGHTS.values())
    for message_id, author_id, pub_date in messages:
        joined = max(2, bisect.bisect_right(join_dates, pub_date))
        reporter = rng.randrange(joined)
        if ids[reporter] == author_id:
            reporter = (reporter + 1) % joined
        created = pub_date + min(anchor - pub_date, REPORT_DELAY) * rng.random()
        yield (ids[reporter], message_id, rng.choices(categories, weights)[0],
               rng.choice(pool.notes), created.replace(microsecond=0))


# --- loading -------------------------------------------------------------------

def batched(items, size):
    """Yield lists of up to `size` consecutive items of the iterable `items`."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def chunk_size(columns):
    """Return how many rows of `columns` values one INSERT may carry (bound-variable limit)."""
    limit = 32766
    if db.is_sqlite() and sqlite3.sqlite_version_info < (3, 32, 0):
        limit = 999
    return max(1, min(MAX_CHUNK_ROWS, limit // columns))


def insert_rows(model, fields, rows, bar):
    """Insert the tuples `rows` with insert_many in chunks, many chunks per transaction;
    returns the count.

    Every full chunk has the same SQL, so it is built once by insert_many and reused
    with each chunk's values (converted by the fields, as insert_many does): building
    the SQL was most of the time of a load (notes/performance.md, "build each query's
    SQL once").
    """
    size, sql, total = chunk_size(len(fields)), None, 0
    converters = [field.db_value for field in fields]
    with database.atomic() as transaction:
        for n, chunk in enumerate(batched(rows, size), 1):
            if len(chunk) < size:  # the last, shorter chunk
                model.insert_many(chunk, fields=fields).as_rowcount().execute()
            else:
                sql = sql or model.insert_many(chunk, fields=fields).sql()[0]
                database.execute_sql(sql, [convert(value) for row in chunk
                                           for convert, value in zip(converters, row)])
            total += len(chunk)
            bar.update(len(chunk))
            if n % CHUNKS_PER_TRANSACTION == 0:
                transaction.commit()  # and begin the next one: keeps the SQLite WAL small
    return total


def reset_tables():
    """Delete every row of the app's tables, children before parents (schema_migration is kept)."""
    with foreign_keys_unchecked(), database.atomic():
        for model in reversed(sort_models(MODELS)):
            # PostgreSQL: TRUNCATE refuses a referenced table without CASCADE, even an empty one;
            # RESTART IDENTITY gives a reseeded site the same ids. SQLite: a plain DELETE.
            model.truncate_table(restart_identity=True, cascade=True)


@contextlib.contextmanager
def foreign_keys_unchecked():
    """Turn SQLite's foreign-key checks off inside the block; elsewhere, do nothing.

    Children go first, so nothing is left dangling, and without the checks SQLite
    drops a table's pages at once instead of checking and deleting row by row.
    """
    if not db.is_sqlite():
        yield
        return
    database.pragma("foreign_keys", 0)
    try:
        yield
    finally:
        database.pragma("foreign_keys", 1)


def analyze():
    """Refresh the planner's statistics after a bulk load (ANALYZE: SQLite and PostgreSQL)."""
    database.execute_sql("ANALYZE")


def phase(desc, total, progress, position=0):
    """Return a tqdm bar for one loading phase (a silent one when `progress` is false)."""
    return tqdm(total=total, desc=f"{desc:<8}", unit=" rows", unit_scale=True,
                disable=not progress, file=sys.stderr, position=position)


# --- the entry points ------------------------------------------------------------

def seed(users, messages, follows, seed=1, reset=False, demo_password=DEMO_PASSWORD, now=None,
         progress=True):
    """Fill the connected database with demo data; returns the figures as a dict.

    Keys: users, follows, messages, reports, hidden, suspended, seconds, messages_per_second.
    Call it outside any transaction: it commits as it goes.
    Raises NotEmpty when there are users already and `reset` is false, ValueError on
    bad figures and models.ValidationError on a too short demo password.
    """
    if users < len(DEMO_ACCOUNTS) or messages < 0 or follows < 0:
        raise ValueError(f"need at least {len(DEMO_ACCOUNTS)} users and no negative figures")
    anchor = anchor_time(now)
    started = time.perf_counter()
    # One scrypt hash for everyone (~50 ms): hashing a password per user would take minutes.
    password_hash = hash_password(clean_password(demo_password))
    if reset:
        reset_tables()
    elif not is_empty():
        raise NotEmpty("The database already has users: run again with --reset to replace "
                       "them with a fresh demo set.")
    figures = load(seed, users, messages, follows, anchor, password_hash, progress)
    analyze()
    seconds = time.perf_counter() - started
    figures.update(seconds=round(seconds, 2), messages_per_second=round(messages / seconds))
    return figures


def load(seed, users, messages, follows, anchor, password_hash, progress):
    """Insert users, follows, messages and reports; returns their counts as a dict."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    pool = make_pool(fake)
    people = make_people(Random(f"{seed}:people"), pool, users, anchor)
    with phase("users", users, progress) as bar:
        ids = insert_people(people, password_hash, bar)
    plan = Plan(seed, anchor, pool, people, ids)
    figures = {"users": len(ids)}
    figures["follows"] = load_follows(plan, follows, progress)
    figures["messages"] = load_messages(plan, messages, progress)
    figures["reports"] = load_reports(plan, messages, progress)
    figures.update(moderate(plan, messages, progress))
    return figures


def load_follows(plan, per_user, progress):
    """Insert `per_user` follows per person (demo: at least DEMO_FOLLOWS); returns how many."""
    total = sum(min(len(plan.people) - 1, max(per_user, DEMO_FOLLOWS) if p.username == "demo"
                    else per_user) for p in plan.people)
    rows = follow_rows(Random(f"{plan.seed}:follows"), plan.people, plan.ids, per_user, plan.anchor)
    fields = [Relationship.from_user, Relationship.to_user, Relationship.created]
    with phase("follows", total, progress) as bar:
        return insert_rows(Relationship, fields, rows, bar)


def load_messages(plan, count, progress):
    """Insert `count` messages, oldest first; returns how many."""
    rows = message_rows(Random(f"{plan.seed}:messages"), plan.pool, plan.people, plan.ids,
                        count, plan.anchor)
    with phase("messages", count, progress) as bar:
        return insert_rows(Message, [Message.user, Message.content, Message.pub_date], rows, bar)


def load_reports(plan, messages, progress):
    """Insert open reports on about REPORT_RATE of the messages; returns how many."""
    rng = Random(f"{plan.seed}:reports")
    reported = reported_messages(rng, messages)
    rows = report_rows(rng, plan.pool, plan.people, plan.ids, reported, plan.anchor)
    fields = [Report.reporter, Report.message, Report.category, Report.note, Report.created]
    with phase("reports", len(reported), progress) as bar:
        return insert_rows(Report, fields, rows, bar)


def moderate(plan, messages, progress):
    """Suspend a few users and hide a few messages, as `moderator`, through the moderation verbs.

    Returns {"suspended": n, "hidden": m}. Each verb is a transaction with its audit row,
    stamped with the real time: the back office has history and work to do.
    """
    rng = Random(f"{plan.seed}:moderation")
    moderator = User.get(User.username == "moderator")
    members = [user_id for user_id, p in zip(plan.ids, plan.people)
               if p.role == "user" and p.username != "demo"]
    suspended = rng.sample(members, min(len(members), max(1, round(len(members) * SUSPEND_RATE))))
    hideable = hideable_messages(sample_message_ids(rng, messages, HIDE_RATE, MIN_HIDDEN))
    with phase("moderate", len(suspended) + len(hideable), progress) as bar:
        for user in User.select().where(User.id.in_(suspended)).order_by(User.id):
            moderation.suspend_user(moderator, user, pick(rng, MODERATION_REASONS))
            bar.update()
        for message in hideable:
            moderation.hide_message(moderator, message, pick(rng, MODERATION_REASONS))
            bar.update()
    return {"suspended": len(suspended), "hidden": len(hideable)}


def hideable_messages(ids):
    """Return the messages among `ids` a moderator may hide: by plain users other than demo."""
    by_members = (User.role == "user") & (User.username != "demo")
    found = []
    for chunk in batched(ids, chunk_size(1)):
        found.extend(Message.select(Message, User).join(User, on=(Message.user == User.id))
                     .where(Message.id.in_(chunk) & by_members).order_by(Message.id))
    return found


def summary(figures, demo_password=DEMO_PASSWORD):
    """Return the text printed after seeding: the figures, the rate and the demo logins."""
    width = max(8, len(demo_password))
    lines = [
        f"Seeded {figures['users']:,} users, {figures['follows']:,} follows, "
        f"{figures['messages']:,} messages and {figures['reports']:,} open reports "
        f"in {figures['seconds']:.1f} s ({figures['messages_per_second']:,} messages/s).",
        f"Moderated (see /admin/auditlog/): {figures['hidden']:,} hidden "
        f"message{'' if figures['hidden'] == 1 else 's'}, {figures['suspended']:,} suspended "
        f"user{'' if figures['suspended'] == 1 else 's'}.",
        "",
        f"Log in with (every seeded user has the password {demo_password!r}):",
        f"  {'username':<10} {'password':<{width}}  role",
    ]
    lines += [f"  {name:<10} {demo_password:<{width}}  {role}" for name, role in DEMO_ACCOUNTS]
    return "\n".join(lines)


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


if __name__ == "__main__":
    sys.exit(main())
