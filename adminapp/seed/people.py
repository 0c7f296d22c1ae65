"""The people: the three demo accounts, then Faker people with unique usernames, as users."""
import datetime
from collections import namedtuple

from peewee import fn

from adminapp.models import User, clean_email, clean_username
from adminapp.vocabulary import Role

from .bulk import insert_rows

# (username, role): stored as plain text, printed in the logins table after seeding.
DEMO_ACCOUNTS = (("admin", Role.ADMIN.value), ("moderator", Role.MODERATOR.value),
                 ("demo", Role.USER.value))
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
JOIN_SPAN = datetime.timedelta(days=365)
POPULARITY_ALPHA = 1.5  # Pareto shape: a few people post and are followed much more than most

Person = namedtuple("Person", "username email bio join_date role weight")


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
        others.append(Person(name, email, rng.choice(pool.bios), joined, Role.USER.value,
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
