"""adminapp.seed and seed_data.py: a reproducible demo set that obeys the site's rules.

Self-contained: every test seeds its own SQLite files under tmp_path.
"""
import datetime
import os
import subprocess
import sys

import pytest

from adminapp import db, moderation, seed
from peewee import SQL, fn

from adminapp.models import (USERNAME_RE, Appeal, AuditLog, Message, MessageLike, MessageStats,
                             Notification, Relationship, Report, User, UserStats)
from adminapp.seed import bulk
from adminapp.seed.command import main
from adminapp.vocabulary import Limits

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NOW = "2024-05-01T12:00:00"
ANCHOR = datetime.datetime(2024, 5, 1, 12, 0)
USERS, MESSAGES, FOLLOWS = 20, 200, 5


def url_of(path):
    """A database URL: `path` itself when it is one, else the SQLite file at `path`."""
    return path if "://" in str(path) else f"sqlite:///{path}"


def run(path, *extra, users=USERS, messages=MESSAGES, follows=FOLLOWS, seed=1):
    """Run the seed command line in-process on `path` (a SQLite file or a URL); returns its status."""
    argv = ["--database", url_of(path), "--users", str(users), "--messages", str(messages),
            "--follows", str(follows), "--seed", str(seed), "--now", NOW, "--quiet", *extra]
    try:
        return main(argv)
    except SystemExit as exit:  # argparse errors
        return exit.code


def use(path):
    """Bind the models to `path`, a SQLite file or a URL (what the tests below read)."""
    db.connect(url_of(path))


def counts():
    """Return the row counts of the seeded tables, by table."""
    return {model.__name__: model.select().count()
            for model in (User, Relationship, Message, Report, AuditLog)}


def snapshot(path):
    """Return everything that must be reproducible in the database at `path`, as sorted tuples."""
    use(path)
    names = dict(User.select(User.id, User.username).tuples())
    texts = dict(Message.select(Message.id, Message.content).tuples())
    users = User.select(User.username, User.email, User.bio, User.join_date, User.role)
    follows = Relationship.select(Relationship.from_user, Relationship.to_user,
                                  Relationship.created)
    messages = Message.select(Message.user, Message.content, Message.pub_date)
    reports = Report.select(Report.reporter, Report.message, Report.category, Report.note,
                            Report.created)
    return {
        "users": sorted(users.tuples()),
        "follows": sorted((names[a], names[b], when) for a, b, when in follows.tuples()),
        "messages": sorted((names[u], text, when) for u, text, when in messages.tuples()),
        "reports": sorted((names[r], texts[m], *rest) for r, m, *rest in reports.tuples()),
        "hidden": sorted(Message.select(Message.content).where(Message.hidden_at.is_null(False))
                         .tuples()),
        "suspended": sorted(User.select(User.username).where(User.suspended_at.is_null(False))
                            .tuples()),
        "replies": sorted((texts[m], texts[parent]) for m, parent in Message.select(
            Message.id, Message.in_reply_to).where(Message.in_reply_to.is_null(False)).tuples()),
        "likes": sorted((names[u], texts[m], when) for u, m, when in MessageLike.select(
            MessageLike.user, MessageLike.message, MessageLike.created).tuples()),
        # moderation notices are stamped with the real time, like the audit rows
        "notifications": sorted(
            (names[n.recipient_id], n.kind, names.get(n.actor_id), texts.get(n.message_id),
             n.created if n.actor_id else None, n.read_at is None)
            for n in Notification.select()),
    }


@pytest.fixture
def seeded(tmp_path):
    """A database seeded with the small default set; the models are bound to it."""
    path = tmp_path / "seeded.db"
    assert run(path) == 0
    use(path)
    return path


def test_same_seed_and_anchor_give_identical_rows(tmp_path):
    assert run(tmp_path / "a.db") == 0
    assert run(tmp_path / "b.db") == 0
    first, second = snapshot(tmp_path / "a.db"), snapshot(tmp_path / "b.db")
    assert all(first[kind] for kind in first), "every kind of row is seeded"
    assert first == second


def test_another_seed_gives_other_rows(tmp_path):
    assert run(tmp_path / "a.db", seed=1) == 0
    assert run(tmp_path / "b.db", seed=2) == 0
    first, second = snapshot(tmp_path / "a.db"), snapshot(tmp_path / "b.db")
    for kind in ("users", "follows", "messages", "reports"):
        assert first[kind] != second[kind], kind


def test_reused_chunk_sql_stores_the_same_rows_as_insert_many(tmp_path, monkeypatch):
    assert run(tmp_path / "one-chunk.db") == 0  # tiny: every table fits one insert_many
    monkeypatch.setattr(bulk, "MAX_CHUNK_ROWS", 7)  # many full chunks: the SQL is reused
    assert run(tmp_path / "chunked.db") == 0
    assert snapshot(tmp_path / "one-chunk.db") == snapshot(tmp_path / "chunked.db")


def test_demo_accounts_exist_with_their_roles_and_the_demo_password(seeded):
    for username, role in (("admin", "admin"), ("moderator", "moderator"), ("demo", "user")):
        user = User.lookup(username)
        assert user.role == role
        assert user.check_password("tweepee-demo")
        assert not user.check_password("wrong-password")
    # One hash for everyone: any seeded person logs in with the demo password too.
    assert User.select(User.password_hash).distinct().count() == 1


def test_prints_the_logins_and_the_rate(tmp_path, capsys):
    assert run(tmp_path / "a.db", "--demo-password", "open-sesame-42") == 0
    out = capsys.readouterr().out
    for username, role in (("admin", "admin"), ("moderator", "moderator"), ("demo", "user")):
        assert f"{username:<10} open-sesame-42" in out and role in out
    assert "messages/s" in out and f"{MESSAGES:,} messages" in out
    use(tmp_path / "a.db")
    assert User.lookup("demo").check_password("open-sesame-42")


def test_refuses_a_database_with_users_unless_reset(seeded, capsys):
    before = counts()
    capsys.readouterr()
    assert run(seeded, seed=2) == 1
    assert "--reset" in capsys.readouterr().err
    use(seeded)
    assert counts() == before


def test_reset_replaces_the_data(tmp_path):
    assert run(tmp_path / "a.db") == 0
    assert run(tmp_path / "a.db", "--reset", seed=2, users=10, messages=50, follows=3) == 0
    assert run(tmp_path / "fresh.db", seed=2, users=10, messages=50, follows=3) == 0
    assert snapshot(tmp_path / "a.db") == snapshot(tmp_path / "fresh.db")
    use(tmp_path / "a.db")
    assert User.select().count() == 10 and Message.select().count() == 50
    assert "schema_migration" in db.database.get_tables()
    assert db.migrate() == []  # the migration history survived the reset


def test_counts_match_the_arguments(seeded):
    assert User.select().count() == USERS
    assert Message.select().count() == MESSAGES
    demo = User.lookup("demo")
    per_user = {}
    for a, b in Relationship.select(Relationship.from_user, Relationship.to_user).tuples():
        assert a != b, "nobody follows themselves"
        per_user.setdefault(a, set()).add(b)
    assert Relationship.select().count() == sum(len(targets) for targets in per_user.values())
    assert {len(targets) for user, targets in per_user.items() if user != demo.id} == {FOLLOWS}
    assert len(per_user[demo.id]) == min(USERS - 1, seed.DEMO_FOLLOWS)
    assert Relationship.select().where(Relationship.to_user == demo.id).count() >= 1
    assert Report.select().where(Report.resolved_at.is_null()).count() >= seed.MIN_REPORTS


def test_follows_are_capped_by_the_number_of_people(tmp_path):
    assert run(tmp_path / "a.db", users=4, follows=10, messages=0) == 0
    use(tmp_path / "a.db")
    assert Relationship.select().count() == 4 * 3  # everyone follows everyone else
    assert Message.select().count() == 0 and Report.select().count() == 0


def test_messages_obey_the_rules_and_time_runs_with_ids(seeded):
    rows = list(Message.select(Message.id, Message.content, Message.pub_date, User.join_date)
                .join(User, on=(Message.user == User.id)).order_by(Message.id).tuples())
    for _, content, pub_date, joined in rows:
        assert content == content.strip() and 1 <= len(content) <= Limits.MESSAGE_MAX
        assert joined <= pub_date < ANCHOR, "posted after joining, before the anchor"
    dates = [pub_date for _, _, pub_date, _ in rows]
    assert dates == sorted(dates)
    assert ANCHOR - dates[-1] <= datetime.timedelta(minutes=10)
    assert ANCHOR - dates[0] <= seed.MESSAGE_SPAN


def test_conversations_obey_the_rules(seeded):
    """Replies answer an earlier message and name its author; likes are one per person and
    message, never the author's own, after the message; the counters match the rows."""
    Parent = Message.alias("parent")
    replies = list(Message.select(Message.pub_date, Message.in_reply_to_user, Parent.pub_date,
                                  Parent.user)
                   .join(Parent, on=(Message.in_reply_to == Parent.id)).tuples())
    assert 0.15 * MESSAGES <= len(replies) <= 0.45 * MESSAGES
    for pub_date, named, parent_date, parent_author in replies:
        assert parent_date <= pub_date and named == parent_author
    likes = list(MessageLike.select(MessageLike.user, MessageLike.created, Message.user,
                                    Message.pub_date)
                 .join(Message, on=(MessageLike.message == Message.id)).tuples())
    assert likes and all(liker != author and posted <= created <= ANCHOR
                         for liker, created, author, posted in likes)
    counted = {s.message_id: (s.replies, s.likes) for s in MessageStats.select()}
    visible_replies = (Message.select(Message.in_reply_to, fn.COUNT(SQL("*")))
                       .where(Message.in_reply_to.is_null(False) & Message.hidden_at.is_null())
                       .group_by(Message.in_reply_to).tuples())
    for parent, n in visible_replies:
        assert counted[parent][0] == n
    for message, n in (MessageLike.select(MessageLike.message, fn.COUNT(SQL("*")))
                       .group_by(MessageLike.message).tuples()):
        assert counted[message][1] == n


def test_notifications_match_the_activity_and_the_unread_counts(seeded):
    """Each notification is about something that happened to its recipient, never by
    themselves; mentions link existing people; the unread counters match the rows."""
    kinds = dict(Notification.select(Notification.kind, fn.COUNT(SQL("*")))
                 .group_by(Notification.kind).tuples())
    assert {"reply", "like", "follow", "hidden"} <= set(kinds), kinds
    for n in Notification.select().where(Notification.kind == "reply"):
        assert n.message.in_reply_to_user_id == n.recipient_id != n.actor_id
    for n in Notification.select().where(Notification.kind == "like"):
        assert n.message.user_id == n.recipient_id != n.actor_id
    mentioned = Message.select().where(Message.mentions.is_null(False))
    assert mentioned.count() > 0
    for message in mentioned:
        assert message.content.lower().startswith(f"@{message.mentions} ") or \
            f"@{message.mentions}" in message.content.lower()
        assert User.lookup(message.mentions) is not None
    unread = dict(Notification.select(Notification.recipient, fn.COUNT(SQL("*")))
                  .where(Notification.read_at.is_null()).group_by(Notification.recipient).tuples())
    assert unread and all(stats.unread == unread.get(stats.user_id, 0)
                          for stats in UserStats.select())


def test_people_obey_the_rules(seeded):
    names = [u.username for u in User.select()]
    assert all(USERNAME_RE.match(name) for name in names)
    assert len({name.lower() for name in names}) == len(names)
    for user in User.select():
        assert "@" in user.email and len(user.bio) <= Limits.BIO_MAX
        assert ANCHOR - datetime.timedelta(days=366) <= user.join_date <= ANCHOR


def test_moderation_goes_through_the_verbs(seeded):
    moderator = User.lookup("moderator")
    hidden = Message.select().where(Message.hidden_at.is_null(False))
    suspended = User.select().where(User.suspended_at.is_null(False))
    assert hidden.count() >= seed.MIN_HIDDEN and suspended.count() >= 1
    assert all(m.hidden_by_id == moderator.id for m in hidden)
    entries = AuditLog.select().where(AuditLog.actor == moderator.id)
    by_action = {}
    for entry in entries:
        by_action[entry.action] = by_action.get(entry.action, 0) + 1
    assert (by_action["hide"], by_action["suspend"]) == (hidden.count(), suspended.count())
    assert by_action["warn"] >= 2
    assert not suspended.where(User.username.in_(["admin", "moderator", "demo"])).exists()
    # appeals: filed by the people hit, one approved (a warning withdrawn), one rejected
    appeals = {a.status: a for a in Appeal.select()}
    assert Appeal.select().where(Appeal.status == "open").count() >= 2
    assert appeals["approved"].action.action == "warn" and appeals["approved"].action.is_undone
    assert appeals["rejected"].decision and by_action["unwarn"] == 1
    assert (by_action["approve_appeal"], by_action["reject_appeal"]) == (1, 1)
    assert all(moderation.appellant_of(a.action).id == a.user_id for a in Appeal.select())


def test_seed_function_returns_the_figures_and_refuses_a_second_set(tmp_path):
    use(tmp_path / "a.db")
    db.migrate()
    assert seed.is_empty()
    figures = seed.seed(users=10, messages=30, follows=2, now=ANCHOR, progress=False)
    assert figures["users"] == 10 and figures["messages"] == 30
    assert figures["follows"] == Relationship.select().count()
    assert figures["reports"] == Report.select().count()
    assert figures["seconds"] > 0 and figures["messages_per_second"] > 0
    assert not seed.is_empty()
    with pytest.raises(seed.NotEmpty):
        seed.seed(users=10, messages=30, follows=2, now=ANCHOR, progress=False)
    assert Message.select().count() == 30


def test_bad_arguments_exit_with_an_error(tmp_path, capsys):
    assert run(tmp_path / "a.db", "--demo-password", "short") == 1
    assert "at least 8" in capsys.readouterr().err
    assert run(tmp_path / "a.db", users=2) == 1
    assert run(tmp_path / "a.db", "--now", "yesterday") == 2


def test_command_line_in_a_subprocess(tmp_path):
    command = [sys.executable, os.path.join(ROOT, "seed_data.py"), "--users", "10",
               "--messages", "50", "--follows", "3", "--now", NOW, "--quiet",
               "--database", f"sqlite:///{tmp_path / 'a.db'}"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "admin" in done.stdout and "tweepee-demo" in done.stdout
    again = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 1 and "--reset" in again.stderr


def test_postgresql_gets_the_same_rows_as_sqlite(tmp_path):
    from tests.conftest import postgres_schema
    with postgres_schema() as url:
        assert run(url) == 0
        on_postgres = snapshot(url)
        assert run(url) == 1  # not empty: refused without --reset
        assert run(url, "--reset") == 0
        db.database.close()
    assert run(tmp_path / "lite.db") == 0
    assert snapshot(tmp_path / "lite.db") == on_postgres
