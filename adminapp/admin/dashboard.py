"""The /admin/ index: the dashboard.

Every figure on the page is one query, so the page costs the same number of
queries on an empty site and at millions of messages, and each reads a few rows:
the counts per day come from counters the database keeps as rows are written
(activity_day, poster_day, followed_day: adminapp/counters.py), never from the
message or relationship tables themselves. At 10,000,000 messages the counts
read from those tables took 62 s. The plain SQL is the same on SQLite and PostgreSQL.

Timestamps are naive UTC (models.utcnow()): "today" starts at UTC midnight and
"this week" is the last 7 UTC days, today included, so the week's figures are
the sum of the chart's last 7 points.
"""
import datetime
from collections import namedtuple
from urllib.parse import urlencode

from flask_admin import AdminIndexView, expose
from peewee import JOIN, SQL, Select, fn
from werkzeug.routing import BuildError

from .. import db, moderation
from ..compiled import Shape
from ..formatting import excerpt, timeago
from ..links import path_for
from ..models import (ActivityDay, Appeal, AuditLog, FollowedDay, Message, PosterDay, Report,
                      User, UserStats, utcnow)
from ..vocabulary import Action, AppealStatus, Outcome, Target
from .base import StaffOnly

CHART_DAYS = 30
WEEK_DAYS = 7
TOP_USERS = 10
QUEUE_HEAD = 5
CANDIDATES = 20  # per day, for the week's leaders (week_leaders)
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
# The day counters (activity_day, poster_day, followed_day) are kept by the database's
# triggers (counters.py): each figure reads a few rows whatever the size of the site.
def day_total(metric, first=None, last=None):
    """Subquery: the sum of `metric` over the days first..last (either open)."""
    query = ActivityDay.select(fn.COALESCE(fn.SUM(ActivityDay.n), 0)).where(
        ActivityDay.metric == metric)
    if first is not None:
        query = query.where(ActivityDay.day >= first)
    if last is not None:
        query = query.where(ActivityDay.day <= last)
    return query


class Bounds(namedtuple("Bounds", "today week_start first_day week tomorrow")):
    """The days the queries compare with: dates (`of`), or the placeholders of a compiled
    query (`marks`), in the order of `values()`."""

    @classmethod
    def of(cls, period):
        week = tuple(period.week_start.date() + ONE_DAY * n for n in range(WEEK_DAYS))
        return cls(period.today.date(), period.week_start.date(), period.days[0], week,
                   period.today.date() + ONE_DAY)

    @classmethod
    def marks(cls, p):
        return cls(p(0), p(1), p(2), tuple(p(3 + n) for n in range(WEEK_DAYS)),
                   p(3 + WEEK_DAYS))

    def values(self):
        return (self.today, self.week_start, self.first_day, *self.week, self.tomorrow)


def kpi_query(bounds):
    """One row of counts, each a scalar subquery on a few rows or a small partial index:
    users, active_today, messages_today, messages_week, open_reports, suspended, hidden,
    appeals_waiting (appeal (status, created)), strikes_week (audit_log (action, created),
    withdrawn ones left out), suspensions_ending_today (the partial index of timed
    suspensions: those due are lifted before the figures are read)."""
    today, week_start = bounds.today, bounds.week_start
    return Select(columns=[
        day_total("signups").alias("users"),
        day_total("posters", today, today).alias("active_today"),
        day_total("messages", today, today).alias("messages_today"),
        day_total("messages", week_start).alias("messages_week"),
        Report.select(COUNT).where(Report.resolved_at.is_null()).alias("open_reports"),
        User.select(COUNT).where(User.suspended_at.is_null(False)).alias("suspended"),
        Message.select(COUNT).where(Message.hidden_at.is_null(False)).alias("hidden"),
        Appeal.select(COUNT).where(Appeal.status == AppealStatus.OPEN.value)
        .alias("appeals_waiting"),
        AuditLog.select(COUNT).where((AuditLog.action == Action.WARN.value)
                                     & (AuditLog.created >= week_start) & AuditLog.not_undone())
        .alias("strikes_week"),
        User.select(COUNT).where(User.suspended_until < bounds.tomorrow)
        .alias("suspensions_ending_today"),
    ]).bind(db.database)


def chart_query(bounds):
    """(day, metric, n) rows of messages and signups over the chart's days (days with none
    have no row)."""
    return (ActivityDay.select(ActivityDay.day, ActivityDay.metric, ActivityDay.n)
            .where((ActivityDay.day >= bounds.first_day)
                   & ActivityDay.metric.in_(["messages", "signups"])).tuples())


def week_leaders(model, bounds):
    """Subquery (user_id, n): the TOP_USERS users with the most `model` counts (poster_day,
    followed_day) over the last 7 days, among each day's CANDIDATES busiest: a few hundred
    rows read from the (day, n) index, where summing every user's week read them all.

    Each candidate's week is summed by its own seven probes of the (day, user_id) key: as a
    join, PostgreSQL read the whole week's rows (48,590 at 1,000,000 messages, 5 ms) to
    hash them against the candidates."""
    days = list(bounds.week)
    busiest = [model.select(model.user_id).where(model.day == day)
               .order_by(model.n.desc()).limit(CANDIDATES) for day in days]
    arms = [model.select(SQL("*")).from_(q.alias(f"d{n}")) for n, q in enumerate(busiest)]
    candidates = arms[0]
    for arm in arms[1:]:
        candidates = candidates.union(arm)
    candidates = candidates.alias("c")
    Week = model.alias("wk")
    week_total = (Week.select(fn.COALESCE(fn.SUM(Week.n), 0))
                  .where(Week.day.in_(days) & (Week.user_id == candidates.c.user_id)))
    # (a candidate whose week sums to 0 comes last; figures() leaves it out: filtering it
    # here made both databases sum each week twice)
    return (Select(from_list=[candidates], columns=[candidates.c.user_id, week_total.alias("n")])
            .order_by(SQL('"n"').desc(), candidates.c.user_id).limit(TOP_USERS).alias("top"))


def top_posters_query(bounds):
    """The TOP_USERS authors with the most messages (hidden ones too) in the last 7 days."""
    top = week_leaders(PosterDay, bounds)
    return (User.select(User.id, User.username, User.suspended_at, top.c.n.alias("n"))
            .join(top, on=(top.c.user_id == User.id))
            .order_by(top.c.n.desc(), User.id).dicts())


def most_followed_query(bounds):
    """The TOP_USERS users with the most new followers in the last 7 days, with their total.

    Follows with no `created` date (made before the column existed) are never
    counted as new; they still count in the total.
    """
    top = week_leaders(FollowedDay, bounds)
    return (User.select(User.id, User.username, User.suspended_at, top.c.n.alias("n"),
                        fn.COALESCE(UserStats.followers, 0).alias("followers"))
            .join(top, on=(top.c.user_id == User.id))
            .join_from(User, UserStats, JOIN.LEFT_OUTER, on=(UserStats.user == User.id))
            .order_by(top.c.n.desc(), User.id).dicts())


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
# Each figure's SQL is built once (peewee took longer to write the leaders' queries
# than the database to run them): compiled.py.
KPI_SQL = Shape(lambda p: kpi_query(Bounds.marks(p)))
CHART_SQL = Shape(lambda p: chart_query(Bounds.marks(p)))
TOP_POSTERS_SQL = Shape(lambda p: top_posters_query(Bounds.marks(p)), convert=True)
MOST_FOLLOWED_SQL = Shape(lambda p: most_followed_query(Bounds.marks(p)), convert=True)
OPEN_REPORTS_SQL = Shape(lambda p: open_reports_query(), convert=True)
RECENT_ACTIONS_SQL = Shape(lambda p: recent_actions_query(), convert=True)


def chart_data(period, rows):
    """The chart's JSON: ISO day labels and the two series, one number per day (0 when
    the database has no row for a day)."""
    counts = {(as_date(day), metric): n for day, metric, n in rows}

    def series(metric):
        return [counts.get((day, metric), 0) for day in period.days]
    return {"labels": [day.isoformat() for day in period.days],
            "messages": series("messages"), "signups": series("signups")}


def admin_url(model, view="index_view", **params):
    """URL of a model view of this admin (`user`, `message`, `report`, ...), its path built
    once per app (links.path_for); Flask-Admin's URL scheme when the view is not
    registered, so that the dashboard never fails because a model view is missing."""
    try:
        path = path_for(f"{model}.{view}")
    except BuildError:
        path = f"/admin/{model}/" + ("details/" if view == "details_view" else "")
    return path + ("?" + urlencode(params) if params else "")


def moderation_links(period):
    """The lists behind the moderation figures: open appeals, this week's warnings,
    suspensions ending today (named filters of the model views)."""
    tomorrow = period.today + ONE_DAY
    return {
        "appeals_waiting": admin_url("appeal", flt0_status_equals=AppealStatus.OPEN.value),
        "strikes_week": admin_url("auditlog", flt0_action_equals=Action.WARN.value,
                                  flt1_when_greater_than=f"{period.week_start:%Y-%m-%d %H:%M:%S}"),
        "suspensions_ending_today": admin_url(
            "user", flt0_suspension_ends_smaller_than=f"{tomorrow:%Y-%m-%d %H:%M:%S}"),
    }


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
    if model == Target.APPEAL:
        return f"appeal #{target_id}", admin_url("appeal", "details_view", id=target_id)
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


def with_ago(rows, now):
    """`rows` (dicts with a "created"), each given its "ago" as of `now` ("3 min ago"):
    what the page shows of the time, so that a part of the page is kept while it reads
    the same (templates/admin/dashboard.html)."""
    for row in rows:
        row["ago"] = timeago(row["created"], now)
    return rows


class DashboardView(StaffOnly, AdminIndexView):
    """KPI cards, a 30-day chart, this week's top users, the report queue and recent actions."""

    @expose("/")
    def index(self):
        moderation.lift_due_suspensions()  # the figures count them as they are now
        return self.render("admin/dashboard.html", **self.figures(Period.ending(utcnow())))

    def figures(self, period):
        """Everything the template shows, from one query per figure."""
        values = Bounds.of(period).values()
        return {
            "period": period,
            "kpi": KPI_SQL.dicts(*values)[0],
            "chart": chart_data(period, CHART_SQL.rows(*values)),
            "top_posters": [row for row in TOP_POSTERS_SQL.dicts(*values) if row["n"]],
            "most_followed": [row for row in MOST_FOLLOWED_SQL.dicts(*values) if row["n"]],
            "open_reports": with_ago(OPEN_REPORTS_SQL.dicts(), period.now),
            "recent_actions": with_ago(RECENT_ACTIONS_SQL.dicts(), period.now),
            "week_days": WEEK_DAYS,
            "chart_days": CHART_DAYS,
            "admin_url": admin_url,
            "links": moderation_links(period),
            "target_link": target_link,
            "change_note": change_note,
        }
