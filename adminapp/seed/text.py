"""The demo text: a pool of Faker values made once per run, and messages composed from it.

A Faker sentence costs tens of microseconds, so a million of them would take most
of a minute; composing a message from the pool with `random.Random(seed)` costs a few.
The pieces are checked once, against the site's rules for a message (checked), so a
message made of them needs no check of its own.
"""
import re
import unicodedata
from collections import namedtuple

from adminapp.models import is_blank, text_problem
from adminapp.vocabulary import Limits

Pool = namedtuple("Pool", "first_names last_names bios sentences short tags links notes")


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
        sentences=checked(sentences),
        short=checked([fake.word().capitalize() + end for end in ("!", ".", "?", "...")
                       for _ in range(50)]),
        tags=checked([hashtag(fake) for _ in range(500)]),
        links=checked([f"https://{fake.safe_domain_name()}/{fake.uri_path()}" for _ in range(500)]),
        notes=["", "", "Spam.", "Looks like a bot.", "Not OK.", "Advertising."]
        + [fake.sentence() for _ in range(50)],
    )


def checked(pieces):
    """Return the list `pieces` as it is; ValueError when one holds what no message may
    (control or text-direction characters) or shows nothing.

    Checked once here rather than per message (models.clean_content): that check read
    every character of every message through unicodedata, a quarter of a seed's time.
    """
    for piece in pieces:
        if text_problem(piece) or is_blank(piece):
            raise ValueError(f"the text pool has a piece no message may hold: {piece!r}")
    return pieces


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
    return fake.random_element(shapes)()[:Limits.BIO_MAX]


def trim(text, limit=Limits.MESSAGE_MAX):
    """Return `text` stripped and cut at a word boundary to at most `limit` characters."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit + 1].rsplit(" ", 1)[0].strip()
    return head if head else text[:limit]


def pick(rng, items):
    """Return a random element of `items` (rng.choice costs three times as much)."""
    return items[int(rng.random() * len(items))]


def pick_zipf(rng, items):
    """Return an element of `items`, the first ones far more often than the last: the
    n-th about as often as 1/n (a Zipf-like spread, as hashtags have: a few everyone
    uses, a long tail), from one draw."""
    return items[min(len(items), int(len(items) ** rng.random())) - 1]


def compose(rng, pool):
    """Return one message text of 1-280 characters: sentences, sometimes a hashtag (a few
    popular ones, a long tail: pick_zipf) or a link."""
    roll = rng.random()
    if roll < 0.05:
        return pick(rng, pool.short)
    text = pick(rng, pool.sentences)
    for _ in range(0 if roll < 0.55 else 1 if roll < 0.85 else 3):
        text += " " + pick(rng, pool.sentences)
    roll = rng.random()
    if roll < 0.25:
        text = trim(text, Limits.MESSAGE_MAX - 52) + " " + pick_zipf(rng, pool.tags)
    elif roll > 0.94:
        text += " " + pick(rng, pool.links)
    return trim(text)
