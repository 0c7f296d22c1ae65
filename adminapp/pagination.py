"""Keyset pagination: "Newer" / "Older" links that cost the same on every page.

A cursor names the last row seen, e.g. (pub_date, id) for messages, so the
next page is `WHERE key < cursor ORDER BY key DESC LIMIT n + 1`: no COUNT(*),
no OFFSET. The extra row tells whether a further page exists. In URLs,
`?before=` asks for rows with a smaller key and `?after=` for a larger one.
"""
import datetime
from dataclasses import dataclass, field

from flask import abort

from .formatting import parse_id


@dataclass
class Page:
    items: list
    prev_args: dict = field(default_factory=dict)  # query args of the previous page; {} on the first
    next_args: dict = field(default_factory=dict)  # query args of the next page; {} on the last


class Keyset:
    """How to page one list: its key fields, its direction, how a cursor encodes a row."""

    def __init__(self, fields, encode, decode, descending=True):
        self.fields, self.encode, self.decode = fields, encode, decode
        self.descending = descending
        # the URL argument that continues the list, and the one that goes back
        self.forward, self.backward = ("before", "after") if descending else ("after", "before")

    def beyond(self, values, smaller):
        """WHERE clause: rows whose key is strictly smaller (or larger) than `values`.

        The lexicographic OR alone made SQLite walk the index from the top, so a
        deep page cost more than the first; the leading `first <= value` bound
        lets both databases start the index range at the cursor.
        """
        clause = None
        for key, value in reversed(list(zip(self.fields, values))):
            step = (key < value) if smaller else (key > value)
            clause = step if clause is None else (step | ((key == value) & clause))
        if len(self.fields) > 1:
            first, value = self.fields[0], values[0]
            clause = ((first <= value) if smaller else (first >= value)) & clause
        return clause

    def _order(self, reverse):
        backwards = self.descending != reverse
        return [f.desc() if backwards else f.asc() for f in self.fields]

    def _cursor(self, args, name):
        raw = args.get(name)
        if raw is None:
            return None
        try:
            return self.decode(raw)
        except (ValueError, TypeError):
            abort(400, description="That page link is broken. Start again from the first page.")

    def page(self, query, args, per_page):
        """Return the Page of `query` that `args` (request.args) ask for, `per_page` rows."""
        def fetch(cursor, smaller, reverse):
            where = query if cursor is None else query.where(self.beyond(cursor, smaller))
            return list(where.order_by(*self._order(reverse)).limit(per_page + 1))
        return self.paged(fetch, args, per_page)

    def query_for(self, query, cursor, smaller, reverse, limit):
        """`query` narrowed to the rows beyond `cursor` (values or placeholder nodes), in
        page order, at most `limit` rows: what one page reads (for compiled shapes)."""
        if cursor is not None:
            query = query.where(self.beyond(cursor, smaller))
        return query.order_by(*self._order(reverse)).limit(limit)

    def paged(self, fetch, args, per_page):
        """The Page `args` ask for, its rows read by fetch(cursor, smaller, reverse): the
        per_page + 1 rows beyond `cursor` (None: from the start) in page order or, with
        `reverse`, walking back."""
        back = self._cursor(args, self.backward)
        if back is not None:  # walking back: fetch in reverse order, then flip
            rows = fetch(back, not self.descending, True)
            more, rows = len(rows) > per_page, rows[:per_page][::-1]
            return Page(rows, prev_args={self.backward: self.encode(rows[0])} if more else {},
                        next_args={self.forward: self.encode(rows[-1])} if rows else {})
        start = self._cursor(args, self.forward)
        rows = fetch(start, self.descending, False)
        more, rows = len(rows) > per_page, rows[:per_page]
        return Page(rows,
                    prev_args={self.backward: self.encode(rows[0])} if start is not None and rows else {},
                    next_args={self.forward: self.encode(rows[-1])} if more else {})


def _encode_message(message):
    return f"{message.pub_date:%Y%m%d%H%M%S%f}-{message.id}"


def _encode_created(row):
    return f"{row.created:%Y%m%d%H%M%S%f}-{row.id}"


def _decode_message(cursor):
    stamp, _, ident = cursor.partition("-")
    pk = parse_id(ident)
    if pk is None:
        raise ValueError(cursor)
    return datetime.datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), pk


def notifications(model):
    """Keyset over notifications by (created, id), newest first."""
    return by_created(model)


def by_created(model):
    """Keyset over rows by (created, id), newest first: notifications, reports, the audit log."""
    return Keyset((model.created, model.id), _encode_created, _decode_message)


def _decode_username(cursor):
    if not 0 < len(cursor) <= 30:
        raise ValueError(cursor)
    return (cursor,)


def _decode_id(cursor):
    pk = parse_id(cursor)
    if pk is None:
        raise ValueError(cursor)
    return (pk,)


def message_ids(field):
    """Keyset over messages by id alone, newest first (ids follow posting order), on
    `field`: the message's id or a column equal to it (an index's key)."""
    return Keyset((field,), lambda row: str(row.id), _decode_id)


def messages(model, descending=True):
    """Keyset over messages by (pub_date, id), newest first (or oldest, not `descending`)."""
    return Keyset((model.pub_date, model.id), _encode_message, _decode_message, descending)


def users(model):
    """Keyset over users by username, A to Z."""
    return Keyset((model.username,), lambda user: user.username, _decode_username,
                  descending=False)
