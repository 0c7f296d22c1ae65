"""Column filters for the model views, where Flask-Admin's own do not fit.

Every filter validates its value (Flask-Admin flashes "Invalid Filter Value"
and ignores it otherwise), so garbage in a URL never reaches the database.
Filters on joined tables name the joined field (or alias) directly: the views
join in get_query(), so no filter needs Flask-Admin's join guessing.
"""
from flask_admin.babel import lazy_gettext
from flask_admin.contrib.peewee.filters import (BasePeeweeFilter, DateTimeBetweenFilter,
                                                DateTimeGreaterFilter, DateTimeSmallerFilter,
                                                FilterLike)
from peewee import fn

from ..formatting import parse_id

YES_NO = (("1", "yes"), ("0", "no"))


class ChoiceFilter(BasePeeweeFilter):
    """`column` equals one of a fixed set of `choices` (a drop-down)."""

    def __init__(self, column, name, choices):
        super().__init__(column, name, options=[(c, c) for c in choices])
        self.choices = tuple(choices)

    def validate(self, value):
        return value in self.choices

    def apply(self, query, value):
        return query.where(self.column == value)

    def operation(self):
        return lazy_gettext("equals")


class YesNoFilter(BasePeeweeFilter):
    """A yes/no question about a row; subclasses say what "yes" means in `condition()`."""

    def __init__(self, column, name):
        super().__init__(column, name, options=YES_NO)

    def validate(self, value):
        return value in ("0", "1")

    def condition(self):
        raise NotImplementedError

    def apply(self, query, value):
        condition = self.condition()
        return query.where(condition if value == "1" else ~condition)

    def operation(self):
        return lazy_gettext("is")


class IsSetFilter(YesNoFilter):
    """"yes": the nullable `column` is set (suspended_at, hidden_at, resolved_at)."""

    def condition(self):
        return self.column.is_null(False)


class ExistsFilter(YesNoFilter):
    """"yes": `subquery(outer_column)` returns a row (an EXISTS, no join, no duplicates)."""

    def __init__(self, column, name, subquery):
        super().__init__(column, name)
        self.subquery = subquery

    def condition(self):
        return fn.EXISTS(self.subquery(self.column))


class ShortText:
    """Mixin: the value is 1 to 100 characters once trimmed."""

    def validate(self, value):
        return 0 < len(value.strip()) <= 100


class UsernameEquals(ShortText, BasePeeweeFilter):
    """A username, ignoring case as the site does ("Alice" is "alice")."""

    def apply(self, query, value):
        return query.where(fn.LOWER(self.column) == value.strip().lower())

    def operation(self):
        return lazy_gettext("equals")


class UsernameContains(ShortText, FilterLike):
    def clean(self, value):
        return value.strip()


class IdEquals(BasePeeweeFilter):
    """An integer id; anything else (or out of the database's range) is refused."""

    def validate(self, value):
        return parse_id(value) is not None

    def clean(self, value):
        return parse_id(value)

    def apply(self, query, value):
        return query.where(self.column == value)

    def operation(self):
        return lazy_gettext("equals")


def date_filters(column, name):
    """The three filters a moderator wants on a date: after, before, between."""
    return [DateTimeGreaterFilter(column, name), DateTimeSmallerFilter(column, name),
            DateTimeBetweenFilter(column, name)]


def username_filters(column, name):
    """The two filters a moderator wants on a username: contains and equals."""
    return [UsernameContains(column, name), UsernameEquals(column, name)]


class TextEquals(ShortText, BasePeeweeFilter):
    """`column` equals the (trimmed, at most 100 characters) text."""

    def apply(self, query, value):
        return query.where(self.column == value.strip())

    def operation(self):
        return lazy_gettext("equals")
