"""The site's vocabulary, declared once: roles, report categories, audit actions,
report outcomes, the kinds of audit targets, and the limits on what people type.

Models, forms, templates, the back office, the CLI and the seed data read
these names from here (templates get them as globals: see `init_app`). Each
word is a `StrEnum`, so it compares equal to the text stored in the database
(`Role.ADMIN == "admin"`), and carries its label and the colour of its badge.
"""
import enum

from wtforms.fields.choices import SelectChoice


class Word(enum.StrEnum):
    """A word of the site: its stored value, a label for people, a Bootstrap badge colour."""

    def __new__(cls, value, label, badge="secondary"):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.badge = badge
        return member

    @classmethod
    def values(cls):
        """Every value, in declaration order, as plain strings."""
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls):
        """(value, label) pairs, for a model field's `choices`."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def options(cls):
        """WTForms SelectChoices (value, label), for a form's select field."""
        return [SelectChoice(member.value, member.label) for member in cls]

    @classmethod
    def get(cls, value):
        """The member whose value is `value`, or None for anything else."""
        try:
            return cls(value)
        except ValueError:
            return None


class Role(Word):
    USER = "user", "User", "light"
    MODERATOR = "moderator", "Moderator", "info"
    ADMIN = "admin", "Admin", "primary"

    @property
    def rank(self):
        """0 for users, 1 for moderators, 2 for admins: who may act on whom."""
        return list(Role).index(self)

    @classmethod
    def rank_of(cls, value):
        """The rank of the role called `value`; 0 for anything unknown."""
        role = cls.get(value)
        return role.rank if role is not None else 0


class Category(Word):
    """Why someone reports a message."""
    SPAM = "spam", "Spam"
    ABUSE = "abuse", "Abuse or harassment", "danger"
    ILLEGAL = "illegal", "Illegal content", "danger"
    OTHER = "other", "Something else"

    @property
    def preset(self):
        """The reason preset a moderator acting on such a report starts from: the preset in
        the category's place in REASON_PRESETS (spam, abuse, illegal; "something else" starts
        from "Off-topic", which the moderator changes when it is not that)."""
        return REASON_PRESETS[list(Category).index(self)]


class Action(Word):
    """What a moderation verb writes in the audit log; "<label> <target>" reads as a sentence."""
    HIDE = "hide", "Hid", "warning"
    UNHIDE = "unhide", "Unhid", "success"
    SUSPEND = "suspend", "Suspended", "danger"
    RESTORE = "restore", "Restored", "success"
    SET_ROLE = "set_role", "Changed role of", "info"
    REMOVE_FOLLOW = "remove_follow", "Removed follow"
    RESOLVE_REPORT = "resolve_report", "Resolved", "primary"
    DELETE = "delete", "Deleted", "dark"
    WARN = "warn", "Warned", "warning"
    UNWARN = "unwarn", "Withdrew a warning of", "success"
    REOPEN_REPORT = "reopen_report", "Reopened", "secondary"
    APPROVE_APPEAL = "approve_appeal", "Approved", "success"
    REJECT_APPEAL = "reject_appeal", "Rejected", "secondary"


# The audit entries that can be undone (moderation.undo), and the ones a person hit by
# them can appeal (moderation.file_appeal): an appeal, once approved, is an undo.
REVERSIBLE = frozenset({Action.HIDE, Action.SUSPEND, Action.WARN, Action.SET_ROLE,
                        Action.RESOLVE_REPORT})
APPEALABLE = frozenset({Action.HIDE, Action.SUSPEND, Action.WARN})


class Outcome(Word):
    """How a report is resolved."""
    HIDE = "hide", "message hidden", "warning"
    DISMISS = "dismiss", "dismissed", "light"


class Target(Word):
    """The kinds of rows an audit entry can be about (AuditLog.target_model)."""
    USER = "user", "user"
    MESSAGE = "message", "message"
    REPORT = "report", "report"
    RELATIONSHIP = "relationship", "follow"
    APPEAL = "appeal", "appeal"


class AppealStatus(Word):
    """Where an appeal stands."""
    OPEN = "open", "Waiting", "warning"
    APPROVED = "approved", "Approved", "success"
    REJECTED = "rejected", "Rejected", "secondary"


class SessionEnd(Word):
    """Why a login session ended; the label is what its browser is told at the next request."""
    LOGOUT = "logout", "You are logged out."
    EVERYWHERE = "everywhere", "You were logged out everywhere. Log in again."
    PASSWORD = "password", "Your password was changed. Log in with the new one."
    RESET = "reset", "Your password was reset. Log in with the new one."
    SUSPENDED = "suspended", ("Your account is suspended. Contact the moderators if you "
                              "think this is a mistake.")
    ROLE = "role", "Your role on tweepee changed. Log in again."


class Notice(Word):
    """What a notification tells its recipient; "<actor> <label>" reads as a sentence (the
    moderation ones have no actor: nobody is named for a moderator's decision)."""
    MENTION = "mention", "mentioned you", "info"
    REPLY = "reply", "replied to you", "primary"
    FOLLOW = "follow", "followed you", "success"
    LIKE = "like", "liked your message", "danger"
    HIDDEN = "hidden", "Your message was hidden by the moderators", "warning"
    REPORT_RESOLVED = "report_resolved", "The moderators looked at your report", "secondary"
    WARNED = "warned", "The moderators warned you", "warning"
    SUSPENDED = "suspended", "Your account was suspended", "danger"
    RESTORED = "restored", "Your account is active again", "success"
    UNHIDDEN = "unhidden", "Your message is visible again", "success"
    UNWARNED = "unwarned", "A warning you had was withdrawn", "success"
    APPEAL_APPROVED = "appeal_approved", "Your appeal was approved", "success"
    APPEAL_REJECTED = "appeal_rejected", "Your appeal was rejected", "secondary"


class Scope(Word):
    """What an API token may do (models.ApiToken); `moderate` is for staff only."""
    READ = "read", "Read: your timeline and notifications", "info"
    WRITE = "write", "Write: post, delete, like, follow, report", "primary"
    MODERATE = "moderate", "Moderate: the moderation verbs (staff only)", "warning"


class Limits:
    """How long what people type may be; models, forms and templates read these."""
    USERNAME_MIN = 3
    USERNAME_MAX = 30
    EMAIL_MAX = 254
    PASSWORD_MIN = 8
    MESSAGE_MAX = 280
    BIO_MAX = 300
    REASON_MAX = 200   # a moderator's reason, kept in the audit log and on a hidden message
    NOTE_MAX = 1000    # a reporter's note to the moderators
    APPEAL_MAX = 1000  # what a person says in an appeal
    MENTIONS_MAX = 10  # people a message can notify by @name
    TOKEN_NAME_MAX = 100  # what an API token is called by its owner


# Reasons offered wherever a moderator gives one (the verbs accept any text up to REASON_MAX);
# the first four answer the report categories in their order (Category.preset): the first
# three are their labels, and "something else" is most often "off-topic".
REASON_PRESETS = ("Spam", "Abuse or harassment", "Illegal content", "Off-topic", "Impersonation")
# How long a suspension lasts, in days (None: until restored), with the words for a button.
SUSPENSION_LENGTHS = ((1, "1 day"), (7, "7 days"), (30, "30 days"), (None, "Until restored"))


def init_app(app):
    """Make the vocabulary available to every template (`Role`, `Category`, `Limits`, ...)."""
    app.jinja_env.globals.update(Role=Role, Category=Category, Action=Action, Outcome=Outcome,
                                 Target=Target, Notice=Notice, Limits=Limits, Scope=Scope,
                                 AppealStatus=AppealStatus, REASON_PRESETS=REASON_PRESETS,
                                 SUSPENSION_LENGTHS=SUSPENSION_LENGTHS)
