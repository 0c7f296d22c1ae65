"""The /admin/ index: the dashboard.

Every figure on the page is one aggregate query, so the page costs the same
number of queries (7, plus Flask-Login's user load) on an empty site and at
millions of messages. Each query reads an index range or a few rows, never the
message or relationship tables whole (their indexes are in migrations/0001 and
0002); the plain SQL is the same on SQLite and PostgreSQL.

Timestamps are naive UTC (models.utcnow()): "today" starts at UTC midnight and
"this week" is the last 7 UTC days, today included, so the week's figures are
the sum of the chart's last 7 points.
"""
import datetime
from collections import namedtuple
from urllib.parse import urlencode

from flask import url_for
from flask_admin import AdminIndexView, expose
from peewee import JOIN, SQL, Select, ValuesList, fn
from werkzeug.routing import BuildError

from .. import db
from ..formatting import excerpt
from ..models import AuditLog, Message, Relationship, Report, User, utcnow
from ..vocabulary import Action, Outcome, Target
from .base import StaffOnly

CHART_DAYS = 30
WEEK_DAYS = 7
TOP_USERS = 10
QUEUE_HEAD = 5
RECENT_ACTIONS = 10
ONE_DAY = datetime.timedelta(days=1)

COUNT = fn.COUNT(SQL("*"))


class Period(namedtuple("Period", "now today week_start days")):
    """When the figures are counted from: `today` (UTC midnight), `week_start` (midnight
    6 days before), and the chart's CHART_DAYS days, oldest first, ending today."""

    @classmethod
    def ending(cls, now):
        today = datetime.datetime.combine(now.date(), datetime.time())
        days = [today.date() - ONE_DAY * n for n in range(CHART_DAYS - 1, -1, -1)]
        return cls(now=now, today=today, week_start=today - ONE_DAY * (WEEK_DAYS - 1), days=days)


# --- days ------------------------------------------------------------------------------
def as_date(value):
    """A day bound read back from the database (ISO text on SQLite, a datetime on
    PostgreSQL) -> datetime.date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


# --- the queries: one per figure ------------------------------------------------------
def kpi_query(period):
    """One row of counts, each a scalar subquery on an index:
    users, active_today, messages_today, messages_week, open_reports, suspended, hidden."""
    since = lambda start: Message.pub_date >= start  # noqa: E731
    return Select(columns=[
        User.select(COUNT).alias("users"),
        Message.select(fn.COUNT(Message.user.distinct())).where(since(period.today))
        .alias("active_today"),
        Message.select(COUNT).where(since(period.today)).alias("messages_today"),
        Message.select(COUNT).where(since(period.week_start)).alias("messages_week"),
        Report.select(COUNT).where(Report.resolved_at.is_null()).alias("open_reports"),
        User.select(COUNT).where(User.suspended_at.is_null(False)).alias("suspended"),
        Message.select(COUNT).where(Message.hidden_at.is_null(False)).alias("hidden"),
    ]).bind(db.database)


def per_day_query(column, days):
    """(day_start, count) rows, one for each day of `days`, empty days included.

    Each day is a [midnight, next midnight) range counted on the column's index,
    from a VALUES list of the bounds. This is the same SQL on SQLite and
    PostgreSQL (no date function to pick per database), and at 1,000,000
    messages on SQLite it costs about 22 ms where GROUP BY date(pub_date) costs
    140-240 ms (a date() call and a temporary B-tree entry for each of 580,000 rows).
    """
    midnight = datetime.time()
    bounds = ValuesList([(datetime.datetime.combine(day, midnight),
                          datetime.datetime.combine(day + ONE_DAY, midnight)) for day in days])
    day = bounds.cte("day", columns=("day_start", "day_end"))
    model = column.model
    counted = model.select(COUNT).where((column >= day.c.day_start) & (column < day.c.day_end))
    return (Select(from_list=[day], columns=[day.c.day_start, counted])
            .with_cte(day).order_by(day.c.day_start).bind(db.database).tuples())


def top_posters_query(period):
    """The TOP_USERS authors with the most messages (hidden ones too) in the last 7 days."""
    counts = (Message.select(Message.user.alias("user_id"), COUNT.alias("n"))
              .where(Message.pub_date >= period.week_start)
              .group_by(Message.user).order_by(COUNT.desc(), Message.user).limit(TOP_USERS)
              .alias("top"))
    # Group first, then fetch only the winners' names: no join per message.
    return (User.select(User.id, User.username, User.suspended_at, counts.c.n.alias("n"))
            .join(counts, on=(counts.c.user_id == User.id))
            .order_by(counts.c.n.desc(), User.id).dicts())


def most_followed_query(period):
    """The TOP_USERS users with the most new followers in the last 7 days, with their total.

    Follows with no `created` date (made before the column existed) are never
    counted as new; they still count in the total.
    """
    counts = (Relationship.select(Relationship.to_user.alias("user_id"), COUNT.alias("n"))
              .where(Relationship.created >= period.week_start)
              .group_by(Relationship.to_user).order_by(COUNT.desc(), Relationship.to_user)
              .limit(TOP_USERS).alias("top"))
    Follow = Relationship.alias("follow")
    total = Follow.select(COUNT).where(Follow.to_user == User.id)
    return (User.select(User.id, User.username, User.suspended_at, counts.c.n.alias("n"),
                        total.alias("followers"))
            .join(counts, on=(counts.c.user_id == User.id))
            .order_by(counts.c.n.desc(), User.id).dicts())


def open_reports_query():
    """The QUEUE_HEAD oldest open reports with their message, its author and the reporter."""
    Reporter, Author = User.alias("reporter"), User.alias("author")
    # The head first, from the report(resolved_at, created) index; then the joins, for 5 rows.
    head = (Report.select(Report.id).where(Report.resolved_at.is_null())
            .order_by(Report.created, Report.id).limit(QUEUE_HEAD))
    return (Report.select(Report.id, Report.category, Report.note, Report.created,
                          Message.id.alias("message_id"), Message.content,
                          Message.hidden_at, Reporter.username.alias("reporter"),
                          Author.username.alias("author"))
            .join(Message, on=(Report.message == Message.id))
            .join(Author, on=(Message.user == Author.id))
            .join_from(Report, Reporter, on=(Report.reporter == Reporter.id))
            .where(Report.id.in_(head))
            .order_by(Report.created, Report.id).dicts())


def recent_actions_query():
    """The RECENT_ACTIONS newest audit rows with the actor's name and the target's
    name (users) or text (messages), when the target still exists."""
    Actor, TargetUser, TargetMessage = User.alias("actor"), User.alias("tu"), Message.alias("tm")
    target_id = AuditLog.target_id.cast("INTEGER")
    return (AuditLog.select(AuditLog.id, AuditLog.action, AuditLog.target_model,
                            AuditLog.target_id, AuditLog.details, AuditLog.created,
                            Actor.username.alias("actor"),
                            TargetUser.username.alias("target_user"),
                            TargetMessage.content.alias("target_message"))
            .join(Actor, JOIN.LEFT_OUTER, on=(AuditLog.actor == Actor.id))
            .join_from(AuditLog, TargetUser, JOIN.LEFT_OUTER,
                       on=((AuditLog.target_model == Target.USER.value) & (TargetUser.id == target_id)))
            .join_from(AuditLog, TargetMessage, JOIN.LEFT_OUTER,
                       on=((AuditLog.target_model == Target.MESSAGE.value)
                           & (TargetMessage.id == target_id)))
            .order_by(AuditLog.created.desc(), AuditLog.id.desc())
            .limit(RECENT_ACTIONS).dicts())


# --- from rows to what the page shows -------------------------------------------------------
def chart_data(period, messages_rows, signup_rows):
    """The chart's JSON: ISO day labels and the two series, one number per day (0 when
    the database returned no row for a day)."""
    def series(rows):
        counts = {as_date(day): n for day, n in rows}
        return [counts.get(day, 0) for day in period.days]
    return {"labels": [day.isoformat() for day in period.days],
            "messages": series(messages_rows), "signups": series(signup_rows)}


def admin_url(model, view="index_view", **params):
    """URL of a model view of this admin (`user`, `message`, `report`, ...).

    Falls back to Flask-Admin's URL scheme when the view is not registered,
    so that the dashboard never fails because a model view is missing.
    """
    try:
        return url_for(f"{model}.{view}", **params)
    except BuildError:
        path = f"/admin/{model}/" + ("details/" if view == "details_view" else "")
        return path + ("?" + urlencode(params) if params else "")


def target_link(entry):
    """(label, url or None) for the target of an audit row; no link when it was deleted."""
    model, target_id = entry["target_model"], entry["target_id"]
    if model == Target.USER and entry["target_user"]:
        return entry["target_user"], admin_url("user", "details_view", id=target_id)
    if model == Target.MESSAGE and entry["target_message"] is not None:
        return (f"“{excerpt(entry['target_message'], 40)}”",
                admin_url("message", "details_view", id=target_id))
    if model == Target.REPORT and entry["action"] != Action.DELETE:
        return f"report #{target_id}", admin_url("report", "details_view", id=target_id)
    details = entry["details"] if isinstance(entry["details"], dict) else {}
    if model == Target.RELATIONSHIP and details.get("before"):
        return details["before"], None  # "alice follows bob": the row is gone
    return f"{model} #{target_id}", None


def change_note(entry):
    """What changed, for the actions where the outcome is not in the verb:
    'user → moderator' for a role, 'message hidden'/'dismissed' for a report; else ''."""
    details = entry["details"] if isinstance(entry["details"], dict) else {}
    if entry["action"] == Action.SET_ROLE:
        return f"{details.get('before')} → {details.get('after')}"
    if entry["action"] == Action.RESOLVE_REPORT:
        outcome = Outcome.get(details.get("after"))
        return outcome.label if outcome else ""
    return ""


class DashboardView(StaffOnly, AdminIndexView):
    """KPI cards, a 30-day chart, this week's top users, the report queue and recent actions."""

    @expose("/")
    def index(self):
        return self.render("admin/dashboard.html", **self.figures(Period.ending(utcnow())))

    def figures(self, period):
        """Everything the template shows, from one query per figure."""
        return {
            "period": period,
            "kpi": kpi_query(period).dicts().get(),
            "chart": chart_data(period,
                                per_day_query(Message.pub_date, period.days),
                                per_day_query(User.join_date, period.days)),
            "top_posters": list(top_posters_query(period)),
            "most_followed": list(most_followed_query(period)),
            "open_reports": list(open_reports_query()),
            "recent_actions": list(recent_actions_query()),
            "week_days": WEEK_DAYS,
            "chart_days": CHART_DAYS,
            "admin_url": admin_url,
            "target_link": target_link,
            "change_note": change_note,
        }
