"""The message lists of the public pages, read fast.

Each feed is a query written with the models (Message.public(), the indexes of
docs/architecture.md) whose SQL is compiled once per page shape (compiled.py),
and whose rows come back as light records with the attributes templates read
(`message.user.username`, `message.is_hidden`...) instead of model instances:
building 20 peewee models cost more than running the query.
"""
import datetime
from dataclasses import dataclass

from peewee import JOIN, SQL, Case, Select, fn

from .compiled import Shape
from . import db, search
from .models import (USERNAME_PREFIX_RE, Block, Message, MessageIndex, MessageLike, MessageStats,
                     MessageTag, Mute, Notification, Person, Relationship, User, UserStats)
from .pagination import Page
from .pagination import message_ids
from .pagination import messages as message_keyset
from .pagination import notifications as notification_keyset
from .vocabulary import Notice

VIEWER = 2  # the placeholder of the viewer's id (0: nobody) in every feed's query
ReplyTo = User.alias("reply_to")  # the author of the message a row answers
# The columns a message row shows, in the order MessageRow reads them; `viewer` is the
# placeholder of the viewer's id (whether they like it)
# (a visitor likes nothing: 0, no probe).
def columns(viewer, member=True):
    liked = SQL("0") if not member else fn.EXISTS(MessageLike.select(SQL("1")).where(
        (MessageLike.user == viewer) & (MessageLike.message == Message.id)))
    return (Message.id, Message.content, Message.pub_date, Message.hidden_at, User.id,
            User.username, User.email, User.role, User.suspended_at, Message.in_reply_to,
            Message.in_reply_to_user, ReplyTo.username,
            fn.COALESCE(MessageStats.replies, SQL("0")), fn.COALESCE(MessageStats.likes, SQL("0")),
            liked, Message.mentions)


def with_row_joins(query):
    """`query` (messages joined to their author) joined to what a row shows besides: the
    author of the message it answers, and its counts (a primary-key probe each)."""
    return (query.join_from(Message, ReplyTo, JOIN.LEFT_OUTER,
                            on=(ReplyTo.id == Message.in_reply_to_user))
            .join_from(Message, MessageStats, JOIN.LEFT_OUTER,
                       on=(MessageStats.message == Message.id)))
# Following at least this many accounts, the home timeline walks the whole site's newest
# messages and keeps the followed ones, rather than reading each followed account's
# messages and sorting them all (docs/architecture.md, "Performance").
DENSE_FOLLOWING = 100
KEYSET = message_keyset(Message)
MINE = Message.alias("m2")  # an author's own messages, in _page_bound
MINE_KEYSET = message_keyset(MINE)
WINDOW_ROWS = Message.alias("w")  # the site's newest messages, in _dense
WINDOW_KEYSET = message_keyset(WINDOW_ROWS)


def as_datetime(value):
    """A timestamp as the driver returns it (text on SQLite) -> datetime, None kept."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value)


class Author(Person):
    """The author of a message row: what templates and can_moderate read of a User."""
    __slots__ = ("id", "username", "email", "role", "suspended_at")

    def __init__(self, id, username, email, role, suspended_at):
        self.id, self.username, self.email, self.role = id, username, email, role
        self.suspended_at = suspended_at


class MessageRow:
    """One message of a feed, with its author, the message it answers (in_reply_to_id:
    None once deleted; reply_to_username: its author), its counts, whether the viewer
    likes it, the names it mentions (and, in a thread, the reason it is hidden and whether
    a block stands between its author and the viewer)."""
    __slots__ = ("id", "content", "pub_date", "hidden_at", "user", "in_reply_to_id",
                 "in_reply_to_user_id", "reply_to_username", "replies", "likes", "liked",
                 "mentions", "hidden_reason", "blocked")

    def __init__(self, row):
        self.id, self.content = row[0], row[1]
        self.pub_date, self.hidden_at = as_datetime(row[2]), row[3]
        self.user = Author(row[4], row[5], row[6], row[7], row[8])
        self.in_reply_to_id, self.in_reply_to_user_id, self.reply_to_username = row[9:12]
        self.replies, self.likes, self.liked = row[12], row[13], bool(row[14])
        self.mentions = row[15]
        self.hidden_reason = row[16] if len(row) > 16 else None
        self.blocked = bool(row[17]) if len(row) > 17 else False

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_reply(self):
        return self.in_reply_to_user_id is not None or self.in_reply_to_id is not None


@dataclass(frozen=True)
class PageShape:
    """What one page read looks like: the cursor's placeholders (None on a first page),
    the direction, how many rows it reads, and whether the viewer is a member (likes
    things) who blocks, is blocked or mutes (`screened`: the rows of those leave the
    page; nobody else's query carries that filter)."""
    cursor: tuple
    smaller: bool
    reverse: bool
    limit: int
    member: bool = True
    screened: bool = True


def seen_by(viewer):
    """(id, member, screened) of the viewer of a feed: 0 and neither for a visitor.
    TypeError for an id (taken for a visitor, it would show what blocks hide)."""
    if isinstance(viewer, int):
        raise TypeError("a feed's viewer is a user (or the anonymous one), not an id")
    if not getattr(viewer, "is_authenticated", False):
        return 0, False, False
    return viewer.id, True, bool(viewer.screens)


class Feed:
    """A list of public messages, newest first, paged by (pub_date, id).

    `where(p, shape)` returns the feed's condition for a PageShape, with p(3), p(4)...
    for its own values (p(0) and p(1) are the page cursor's, p(2) the viewer's id). The
    viewer never sees the messages of those they block or who block them (Block.unseen_by).
    """

    prepare = True  # compiled.Shape's: PostgreSQL may plan the feed's SQL once
    generic = False  # compiled.Shape's: PostgreSQL must (else it decides by its estimates)

    def __init__(self, where, keyset=KEYSET, mutes=True):
        """`mutes`: the viewer's mutes hide messages here too (timelines), not only blocks."""
        self.where, self.keyset, self.mutes = where, keyset, mutes
        self._shapes = {}

    def source(self, p, member=True):
        """The rows' query before its conditions: messages with their author and what a
        row shows besides (for a `member`, whether they like it), and the keyset that
        pages it."""
        query = (Message.select(*columns(p(VIEWER), member))
                 .join(User, on=(Message.user == User.id)))
        return with_row_joins(query), self.keyset

    def _shape(self, from_start, smaller, reverse, limit, member=True, screened=True):
        key = (from_start, smaller, reverse, limit, member, screened)
        if key not in self._shapes:
            def build(p):
                shape = PageShape(None if from_start else (p(0), p(1)), smaller, reverse, limit,
                                  member, screened)
                query, keyset = self.source(p, member)
                where = Message.public() & self.where(p, shape)
                if screened:
                    where &= Message.user.not_in(Block.unseen_by(p(VIEWER), self.mutes))
                return keyset.query_for(query.where(where), shape.cursor, smaller, reverse,
                                        SQL(str(limit)))
            self._shapes[key] = Shape(build, prepare=self.prepare, generic=self.generic)
        return self._shapes[key]

    def first_page_sql(self, per_page):
        """The SQL that reads a first page (for EXPLAIN), as a viewer who blocks someone."""
        return self._shape(True, True, False, per_page + 1).compiled()[0]

    def page(self, args, per_page, viewer, *values):
        """The Page of this feed that `args` (request.args) ask for, as `viewer` (a user,
        or the anonymous one) sees it, with the feed's values."""
        viewer_id, member, screened = seen_by(viewer)

        def fetch(cursor, smaller, reverse):
            shape = self._shape(cursor is None, smaller, reverse, per_page + 1, member, screened)
            # p(0), p(1) are the cursor's whatever its length (a keyset by id has one value)
            cursor = (tuple(cursor or ()) + (None, None))[:2]
            rows = shape.rows(*cursor, viewer_id, *values)
            return [MessageRow(row) for row in rows]
        return self.keyset.paged(fetch, args, per_page)


class SearchFeed(Feed):
    """The public messages that hold every word of a query (p(3): search.fts5_query on
    SQLite, search.plain_query on PostgreSQL), newest first by id (ids follow posting
    order), through the full-text index.

    On SQLite the rows are read from the FTS5 table backwards by rowid (the message's
    id), which FTS5 does without reading the other matches: a page costs the same for a
    word in ten messages or in half of them. On PostgreSQL the planner picks between
    the GIN index (a rare word: its few matches, sorted) and the primary key read
    backwards with the test on each row (a common word: stops after a page).
    """

    prepare = False  # the best plan depends on the word: planned for each search

    def __init__(self):
        super().__init__(lambda p, shape: SQL("1 = 1"), keyset=message_ids(Message.id),
                         mutes=False)

    def source(self, p, member=True):
        if not db.is_sqlite():
            query, keyset = super().source(p, member)
            return query.where(Message.tsquery_matches(p(3))), keyset
        query = (MessageIndex.select(*columns(p(VIEWER), member))
                 .join(Message, on=(Message.id == MessageIndex.rowid))
                 .join(User, on=(Message.user == User.id)))
        query = with_row_joins(query).where(MessageIndex.match(p(3)))
        return query, message_ids(MessageIndex.rowid)


class TagFeed(Feed):
    """The public messages carrying the tag p(3), newest first by id, read backwards from
    message_tag's primary key (tag, message_id): a page costs the same for any tag.

    On PostgreSQL its generic plan is that read, each row's message found by id (0.02 ms
    to plan). Left to choose, PostgreSQL planned every run of a popular tag anew (0.9
    ms) and kept that custom plan: a merge join with the messages read backwards by id,
    which its estimates priced lower but which reads the same rows."""

    generic = True

    def __init__(self):
        super().__init__(lambda p, shape: SQL("1 = 1"), keyset=message_ids(Message.id),
                         mutes=False)

    def source(self, p, member=True):
        query = (MessageTag.select(*columns(p(VIEWER), member))
                 .join(Message, on=(Message.id == MessageTag.message))
                 .join(User, on=(Message.user == User.id)))
        return with_row_joins(query).where(MessageTag.tag == p(3)), message_ids(MessageTag.message)


def _followed_and_self(p, column_name=None):
    """Subquery: the accounts user p(3) follows, and p(3) itself (p(4)) (UNION ALL: each
    author's index range is read on its own, where an OR read them all)."""
    followed, me = Relationship.to_user, User.id
    if column_name:
        followed, me = followed.alias(column_name), me.alias(column_name)
    return (Relationship.select(followed).where(Relationship.from_user == p(3))
            .union_all(User.select(me).where(User.id == p(4))))


def _page_bound(p, shape):
    """Condition: the page's rows are no further than the point where some followed
    author (of p(3)) has `limit` messages beyond the cursor.

    Every row of the page is at least as new as each author's limit-th newest message
    (else that author alone would fill the page), so each author's index range is
    read for at most `limit` rows whatever their history: per author two short index
    reads, where reading and sorting all their messages grew with the site. Hidden
    messages count in that index, so an author who has some is bounded by their
    visible ones (rare, and read from the table); suspended authors do not count.
    The bound is p(5) (far past or far future) when no author has `limit` messages.
    """
    Mine, Stats = MINE, UserStats.alias("st")
    authors = _followed_and_self(p, column_name="author").alias("a")
    newest_first = not shape.reverse
    order = [Mine.pub_date.desc(), Mine.id.desc()] if newest_first else \
        [Mine.pub_date.asc(), Mine.id.asc()]

    def nth(visible_only):
        query = Mine.select(Mine.pub_date).where(Mine.user == authors.c.author)
        if visible_only:
            query = query.where(Mine.hidden_at.is_null())
        if shape.cursor is not None:
            query = query.where(MINE_KEYSET.beyond(shape.cursor, shape.smaller))
        return query.order_by(*order).limit(SQL("1")).offset(SQL(str(shape.limit - 1)))
    no_hidden = fn.COALESCE(Stats.hidden, SQL("0")) == SQL("0")
    per_author = Case(None, [(no_hidden, nth(False))], nth(True))
    suspended = User.select(User.id).where(User.suspended_at.is_null(False))
    counted = authors.c.author.not_in(suspended)
    if shape.screened:  # muted authors' messages are not read
        counted &= authors.c.author.not_in(Mute.select(Mute.muted).where(Mute.muter == p(3)))
    bound = (Select(from_list=[authors], columns=[(fn.MAX if newest_first else fn.MIN)(per_author)])
             .join(Stats, JOIN.LEFT_OUTER, on=(Stats.user == authors.c.author))
             .where(counted))
    edge = fn.COALESCE(bound, p(5))
    return (Message.pub_date >= edge) if newest_first else (Message.pub_date <= edge)


PUBLIC = Feed(lambda p, shape: SQL("1 = 1"))
PROFILE = Feed(lambda p, shape: Message.user == p(3), mutes=False)
# Few follows: each followed account's newest messages through (user, pub_date, id),
# bounded (_page_bound).
HOME = Feed(lambda p, shape: Message.user.in_(_followed_and_self(p)) & _page_bound(p, shape))
WINDOW = 2000  # how many of the site's newest messages a dense walk may read


def _dense(p, shape):
    """Condition: the message is by p(4) or an account p(3) follows (one probe of the
    unique follow index per message read), among the site's WINDOW newest messages
    beyond the cursor (the window's edge, or p(5) when the site has fewer).

    With no per-author index to use, the planner walks (pub_date, id) from the cursor
    and stops at a page of followed authors' messages. The window caps that walk for
    someone who follows many quiet accounts; home_page then falls back to HOME.
    """
    # OFFSET 0 keeps PostgreSQL from turning the EXISTS into a hash of every follow
    # (5,000 rows, 0.8 ms) where a probe per message read (about 40) is what it takes
    follows = (Relationship.select(SQL("1")).where((Relationship.from_user == p(3))
                                                   & (Relationship.to_user == Message.user))
               .offset(SQL("0")))
    newest_first = not shape.reverse
    Any = WINDOW_ROWS
    window = Any.select(Any.pub_date)
    if shape.cursor is not None:
        window = window.where(WINDOW_KEYSET.beyond(shape.cursor, shape.smaller))
    order = [Any.pub_date.desc(), Any.id.desc()] if newest_first else \
        [Any.pub_date.asc(), Any.id.asc()]
    edge = fn.COALESCE(window.order_by(*order).limit(SQL("1")).offset(p(6)), p(5))
    within = (Message.pub_date >= edge) if newest_first else (Message.pub_date <= edge)
    return (((Message.user + SQL("0")) == p(4)) | fn.EXISTS(follows)) & within


# Many follows: the walk (_dense).
HOME_DENSE = Feed(_dense)


# A message's replies, oldest first.
REPLIES = Feed(lambda p, shape: Message.in_reply_to == p(3), message_keyset(Message, False),
               mutes=False)
THREAD_DEPTH = 50  # ancestors shown above a message, nearest last


def _thread(p):
    """The message p(0) and its ancestors (up to THREAD_DEPTH), root first, as rows with
    the reason a hidden one is hidden and whether a block stands between its author and the
    viewer, whose id is p(1)."""
    Up = Message.alias("up")
    base = (Message.select(Message.id, SQL("0")).where(Message.id == p(0))
            .cte("chain", recursive=True, columns=("id", "depth")))
    # each step reads the parent by primary key in a scalar subquery, not a join: joined,
    # SQLite built a Bloom filter over the whole message table at every step (6 ms at
    # 50,000 messages); the last step yields NULL, which joins nothing below
    parent = Up.select(Up.in_reply_to).where(Up.id == base.c.id)
    step = (Select(from_list=[base], columns=[parent, base.c.depth + SQL("1")])
            .where(base.c.id.is_null(False) & (base.c.depth < SQL(str(THREAD_DEPTH)))))
    chain = base.union_all(step)
    unseen = Message.user.in_(Block.unseen_by(p(1)))
    query = (Message.select(*columns(p(1)), Message.hidden_reason, unseen)
             .join(chain, on=(Message.id == chain.c.id))
             .join_from(Message, User, on=(Message.user == User.id)))
    return with_row_joins(query).order_by(chain.c.depth.desc()).with_cte(chain)


THREAD = Shape(_thread)


def thread_for(viewer, message_id):
    """(ancestors, message) as rows, root first, when `viewer` may open the message
    (Message.visible_to's rule), else None. Ancestors are there whatever their state:
    the page says which ones the viewer may not read (visible_to)."""
    rows = [MessageRow(row) for row in THREAD.rows(message_id, viewer_id(viewer))]
    if not rows or not visible_to(viewer, rows[-1]):
        return None
    return rows[:-1], rows[-1]


def visible_to(viewer, row):
    """Whether `viewer` may read the message `row`: Message.visible_to's rule, and no block
    between its author and the viewer (staff see every message; its author sees a hidden
    one, to learn why it is hidden)."""
    if Message.sees_all(viewer) or (row.is_hidden and viewer_id(viewer) == row.user.id):
        return True
    return not (row.is_hidden or row.user.is_suspended or row.blocked)


def viewer_id(viewer):
    """The id a feed's query takes for `viewer`: 0 for a visitor."""
    return viewer.id if getattr(viewer, "is_authenticated", False) else 0


def replies_page(viewer, message, args, per_page):
    """A page of `message`'s public replies, oldest first; no query when its counter says
    it has none (most messages: it counts every visible reply)."""
    if not message.replies:
        return Page([])
    return REPLIES.page(args, per_page, viewer, message.id)


def public_page(viewer, args, per_page):
    """A page of the public timeline, as `viewer` sees it."""
    return PUBLIC.page(args, per_page, viewer)


SEARCH = SearchFeed()
TAGGED = TagFeed()


def search_page(viewer, words, args, per_page):
    """A page of the public messages holding every one of `words` (search.terms of a
    query), as `viewer` sees it; an empty page for no words (no query)."""
    if not words:
        return Page([])
    text = search.fts5_query(words) if db.is_sqlite() else search.plain_query(words)
    return SEARCH.page(args, per_page, viewer, text)


PEOPLE_SHOWN = 5  # people whose name starts with a search's text


def people_starting(text):
    """Active users whose username starts with `text` (an @ before it ignored), A to Z, at
    most PEOPLE_SHOWN, as dicts (username, email, bio) from the lower(username) index; []
    without a query when `text` cannot start a name."""
    prefix = text.strip().removeprefix("@")
    if not USERNAME_PREFIX_RE.fullmatch(prefix):
        return []
    return User.starting_with(prefix, PEOPLE_SHOWN)


def search_results(viewer, text, args, per_page):
    """(words, page, people) of the search `text` as `viewer` sees it: its words
    (search.terms: [] for a text without any), the page of messages holding every one that
    `args` ask for (`before`/`after`), and on the first page the people whose name starts
    with the text ([] on the others). The site's /search/ and the API's both read this."""
    words = search.terms(text)
    page = search_page(viewer, words, args, per_page)
    first = not (args.get("before") or args.get("after"))
    return words, page, people_starting(text) if first else []


def tag_page(viewer, tag, args, per_page):
    """A page of the public messages carrying `tag` (its stored form), as `viewer` sees it."""
    return TAGGED.page(args, per_page, viewer, tag)


def profile_page(viewer, user, args, per_page):
    """A page of `user`'s public messages, as `viewer` sees it."""
    return PROFILE.page(args, per_page, viewer, user.id)


def home_page(user, following, args, per_page):
    """A page of `user`'s home timeline; `following` (their count of follows) picks the plan."""
    edge = datetime.datetime.min if "after" not in args else datetime.datetime.max
    if following >= DENSE_FOLLOWING:
        page = HOME_DENSE.page(args, per_page, user, user.id, user.id, edge, WINDOW)
        if page.prev_args if "after" in args else page.next_args:
            return page
        # the window held less than a page (quiet follows, or the timeline's end): read
        # it the way that cannot miss a message
    return HOME.page(args, per_page, user, user.id, user.id, edge)


# --- notifications ------------------------------------------------------------------------
class NoticeRow:
    """One notification as its page shows it: what it says (`label`), who did it (`actor`,
    a username, or None for a moderator's decision), the message it is about (`message_id`
    and its `content`) when there is one, and whether it was unread."""
    __slots__ = ("id", "kind", "created", "is_unread", "text", "actor", "message_id", "content",
                 "label")

    def __init__(self, row):
        self.id, self.kind, self.created = row[0], row[1], as_datetime(row[2])
        self.is_unread, self.text, self.actor = row[3] is None, row[4], row[5]
        self.message_id, self.content = row[6], row[7]
        kind = Notice.get(self.kind)
        self.label = kind.label if kind else self.kind


NOTICE_KEYSET = notification_keyset(Notification)
Actor = User.alias("actor")


def _notices(p, from_start, smaller, reverse, limit):
    """A page of the notifications of user p(2), beyond the cursor (p(0), p(1))."""
    query = (Notification.select(Notification.id, Notification.kind, Notification.created,
                                 Notification.read_at, Notification.text, Actor.username,
                                 Message.id, Message.content)
             .join_from(Notification, Actor, JOIN.LEFT_OUTER, on=(Notification.actor == Actor.id))
             .join_from(Notification, Message, JOIN.LEFT_OUTER,
                        on=(Notification.message == Message.id))
             .where(Notification.recipient == p(2)))
    return NOTICE_KEYSET.query_for(query, None if from_start else (p(0), p(1)), smaller, reverse,
                                   SQL(str(limit)))


_notice_shapes = {}


def notifications_page(user, args, per_page):
    """A page of `user`'s notifications, newest first, as NoticeRows: one query whose SQL
    is built once per page shape (building it, and a model for each row, its actor and its
    message, was most of the page's time)."""
    def fetch(cursor, smaller, reverse):
        key = (cursor is None, smaller, reverse, per_page + 1)
        if key not in _notice_shapes:
            _notice_shapes[key] = Shape(lambda p: _notices(p, *key))
        rows = _notice_shapes[key].rows(*(cursor or (None, None)), user.id)
        return [NoticeRow(row) for row in rows]
    return NOTICE_KEYSET.paged(fetch, args, per_page)
