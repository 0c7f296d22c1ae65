"""Queries whose SQL is built once and run many times with new values.

peewee spends more time building a page's SQL (0.27 ms for a timeline) than the
database spends running it (0.04 ms). A `Shape` asks peewee for the SQL of a
query once per database, with numbered placeholders where the values go, and
afterwards only binds the values. The query itself is still written with the
models (their rules, their indexes); only its text is reused.

PostgreSQL also plans every statement it is sent, and at 1,000,000 messages planning a
dashboard figure or the report queue took longer (1-1.5 ms) than running it (0.5 ms).
So there a shape's SQL is PREPAREd once per connection (the pool keeps them) and
EXECUTEd afterwards (`_execute_prepared`).
"""
import itertools
import logging
import re

from peewee import SQL, Alias, Field, FieldAlias, PostgresqlDatabase

from .db import database

MARK = re.compile(r"/\*:(\d+)\*/")
# a parameter in finished SQL: one of ours (behind its number) or one peewee bound
PARAM = re.compile(r"(?:/\*:(\d+)\*/)?(\?|%s)")


class Placeholders:
    """Hands out numbered placeholder nodes while a query is built: p(0), p(1), ...

    Each renders as the driver's parameter (`?` or `%s`) behind a comment giving its
    number, so that the order of the values in the finished SQL can be read back,
    whatever order peewee writes the clauses in. Values written plainly in the query
    (a LIMIT, a name) are bound once, when it is built.
    """

    def __init__(self, param):
        self.param = param

    def __call__(self, number):
        return SQL(f"/*:{number}*/{self.param}")


class Shape:
    """One query shape: `build(p)` returns the peewee query, with `p(n)` where value n goes."""

    def __init__(self, build, convert=False, prepare=True, generic=False):
        """`convert`: dicts() turns each column that is a model field into its Python value
        (datetimes, JSON) as peewee would; off, the driver's values come as they are.
        `prepare` off: PostgreSQL plans each run for its values (a full-text search: a rare
        word reads its few matches from the GIN index, a common one walks the newest
        messages; a prepared statement's generic plan picks one way for every word).
        `generic`: PostgreSQL always runs the prepared statement's generic plan, planned
        once. Left to itself it plans again for the values of every run whenever its
        estimates make the generic plan look dearer than the last ones (a popular tag's
        page: 0.9 ms of planning for 0.3 ms of reading, the same plan either way). For a
        query whose generic plan was read with EXPLAIN and is good for any values."""
        self.build, self.convert, self.prepare = build, convert, prepare
        self.generic = generic
        self._compiled = {}

    def compiled(self):
        """(sql, slots) for the database the models are bound to, built on first use.

        Each slot is, in the order of the SQL's parameters, (number, None) for value
        `number` of a run, or (None, constant) for a value peewee bound when the query
        was built (a literal of the query, the same in every run).
        """
        # the SQL depends on the database's kind (parameter style, quoting), not on which
        # database: one entry per class (an id() would be reused by a new database object)
        key = type(database.obj)
        if key not in self._compiled:
            query = self.build(Placeholders(database.obj.param))
            self._converters = [_converter(node) for node in getattr(query, "_returning", ())]
            sql, params = query.sql()
            constants, slots = iter(params), []
            for number, _ in PARAM.findall(sql):
                slots.append((int(number), None) if number else (None, next(constants)))
            self._compiled[key] = (MARK.sub("", sql), slots)
        return self._compiled[key]

    def rows(self, *values):
        """The rows (tuples) of the query run with `values` (value n for placeholder n)."""
        return self._cursor(values).fetchall()

    def dicts(self, *values):
        """The rows as dicts, by the query's column names."""
        cursor = self._cursor(values)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
        if self.convert:
            convert = [c or (lambda value: value) for c in self._converters]
            rows = [[c(value) for c, value in zip(convert, row)] for row in rows]
        return [dict(zip(names, row)) for row in rows]

    def _cursor(self, values):
        sql, slots = self.compiled()
        params = [constant if number is None else values[number] for number, constant in slots]
        if (self.prepare and isinstance(database.obj, PostgresqlDatabase)
                and not database.in_transaction()):
            cursor = _execute_prepared(sql, params, self.generic)
            if cursor is not None:
                return cursor
        return database.execute_sql(sql, params)

    def instances(self, model, extra, *values):
        """Model instances of the rows: the model's fields first (in _meta.sorted_fields
        order, converted as peewee would), then the `extra` names, set as attributes."""
        fields = model._meta.sorted_fields
        found = []
        for row in self.rows(*values):
            instance = model(**{f.name: f.python_value(v) for f, v in zip(fields, row)})
            for name, value in zip(extra, row[len(fields):]):
                setattr(instance, name, value)
            found.append(instance)
        return found


def _converter(node):
    """The python_value of the model field a selected column is (or aliases), else None."""
    node = node.node if isinstance(node, Alias) else node
    node = node.field if isinstance(node, FieldAlias) else node
    return node.python_value if isinstance(node, Field) else None


# --- PostgreSQL: prepared statements --------------------------------------------------------
logger = logging.getLogger("peewee")  # where peewee logs each statement (tests count them)
PREPARED_KEPT = 64  # connections whose statements are remembered; then start again
_prepared = {}  # (backend pid, id(connection)) -> {sql: statement name, or None}
_names = itertools.count()  # never reused in a process, so forgetting is always safe
PLAN_MODE = "plan_cache_mode"  # in a connection's _prepared entry: the mode it is set to
PLAN_MODES = {False: "auto", True: "force_generic_plan"}


def _execute_prepared(sql, params, generic=False):
    """A cursor on the rows of `sql` with `params`, run as a statement PREPAREd on this
    connection (with its generic plan, when `generic`); None when PostgreSQL cannot
    prepare it (a parameter whose type it cannot infer), and the caller runs it plainly.
    Only outside transactions: a failed PREPARE must not abort one."""
    import psycopg2

    connection = database.connection()
    names = _prepared.get((connection.info.backend_pid, id(connection)))
    if names is None:
        if len(_prepared) >= PREPARED_KEPT:
            _prepared.clear()
        names = _prepared[connection.info.backend_pid, id(connection)] = {}
    if sql not in names:
        name = names[sql] = f"tweepee_{next(_names)}"
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        except psycopg2.Error:
            names[sql] = None
    if names[sql] is None:
        return None
    cursor = connection.cursor()
    arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
    # the connection's plan_cache_mode, set in the same round trip when it must change
    # (unknown on a connection new to this process: set at its first statement)
    mode = PLAN_MODES[generic]
    setting = "" if names.get(PLAN_MODE) == mode else f"SET plan_cache_mode = {mode}; "
    names[PLAN_MODE] = None  # unknown until the statement has run
    try:
        cursor.execute(f"{setting}EXECUTE {names[sql]}{arguments}", params)
    except psycopg2.DataError:
        # a value its parameter's type cannot hold (an id past 32 bits for an integer
        # column): run plainly, where PostgreSQL compares across types (no match)
        return None
    names[PLAN_MODE] = mode
    logger.debug((sql, params))
    return cursor


def _numbered(sql):
    """psycopg2's SQL (%s parameters, %% for a percent sign) in PREPARE's form ($1, $2, %)."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
