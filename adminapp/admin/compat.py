"""Every override of Flask-Admin's private API, in one place.

Written against Flask-Admin 2.2.1 (its peewee backend, `flask_admin.contrib.peewee`).
These methods are not documented: on an upgrade, read each one against the
new version and run tests/test_admin_*.py. Why each exists:

- `_handle_view`: an endpoint a view turns off by flag (create, edit, delete,
  details, export) answers 403 instead of redirecting to the list.
- `_get_column_by_idx`: `?sort=N` on a listed column that is not sortable
  raised KeyError in the peewee get_list (a 500); it now sorts by default.
- `_get_list_extra_args`: `?page=` is kept to 0..max_page (no negative or
  huge OFFSET reaching the database).
- `_handle_view` also refuses (400), before the view runs: query arguments named
  like url_for's own parameters (`endpoint`, `_method`, `_external`...), which
  Flask-Admin passes on to url_for when it builds the list's links; and a `url`
  (the return address) that urlsplit cannot parse (`http://[`), on which
  Flask-Admin's is_safe_url raised after a bulk action had already run, or that
  holds a newline or another control character, which is_safe_url ignores and
  the redirect's Location header refuses (500s found by tests/test_fuzz.py).
- `_handle_join`: the views join every related table in get_query(); Flask-Admin's
  own join has no `on=` and fails with two foreign keys to one table
  ("More than one foreign key").
- `init_search`: accepts aliased fields (`User.alias().username`), which the
  peewee backend refuses.
- `_sort_clause`, `_order_by`: sort by any expression (a subquery's alias, an
  Ordering with NULLS FIRST), and end with the primary key so that pages never
  repeat or skip rows.
- `_get_list_url`: the list's own links (pager, sort headers, page sizes, clear
  search: about ten a page) are its path, from links.path_for, and the same query
  string url_for writes; url_for for each was a tenth of the page's time.
- `get_one`: the details page uses the joined query (no lazy loads) and a
  garbage id is "not found", not a 500.
- `_export_data`: the CSV export streams rows from a cursor instead of loading
  them all into a list.
- `get_list`: a view with `search_query(query, text)` searches through it (an index)
  instead of Flask-Admin's `LIKE '%word%'` on every searchable column, a scan of the
  table (1 s for one word at 1,000,000 messages); with the default sort, the order it
  returns (the index's own) replaces the default order. `_order_by`
  adds no primary key after an order on a rowid (unique already: FTS5 reads its
  rowids backwards only when that is the whole ORDER BY).

Two templates are overridden for the same kind of reason, copies of the
package's with their inline onclick handlers removed (the site's
Content-Security-Policy runs none; static/js/admin.js handles those clicks):
templates/admin/actions.html (the "With selected" menu) and
templates/admin/model/layout.html (the "Add Filter" menu). A third,
templates/admin/static.html, builds the URLs of Flask-Admin's own files through
links.path_for, once per app.
"""
import copy
from urllib.parse import urlencode, urlsplit

from flask import abort, request
from peewee import CharField, FieldAlias, Ordering, TextField
from playhouse.sqlite_ext import RowIDField

from ..db import database
from ..formatting import parse_id
from ..links import path_for

KEPT_LISTS = 200  # list shapes kept per view; then start again
# the characters werkzeug's url_for leaves as they are in a query string
QUERY_SAFE = "!$'()*,/:;?@"


class FlaskAdminFixes:
    """Mixin for flask_admin.contrib.peewee.ModelView; see the module docstring."""

    # endpoints a view turns off by flag answer 403 rather than redirecting to the list
    endpoint_flags = {"create_view": "can_create", "edit_view": "can_edit",
                      "delete_view": "can_delete", "details_view": "can_view_details",
                      "export": "can_export"}
    max_page = 10**6

    def _handle_view(self, name, **kwargs):
        if any(key == "endpoint" or key.startswith("_") for key in request.args):
            abort(400, description="This page takes no argument named like that.")
        for url in (request.args.get("url"), request.form.get("url")):
            if url and not _usable_url(url):
                abort(400, description="The return address (url=) of this page is broken.")
        response = super()._handle_view(name, **kwargs)
        flag = self.endpoint_flags.get(name)
        if response is None and flag and not getattr(self, flag):
            abort(403)
        return response

    def _get_column_by_idx(self, idx):
        column = super()._get_column_by_idx(idx)
        return column if column is not None and column[0] in self._sortable_columns else None

    def _get_list_extra_args(self):
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), self.max_page)
        return args

    def _get_list_url(self, view_args):
        args = {"page": view_args.page or None, "sort": view_args.sort,
                "desc": 1 if view_args.sort_desc else None, "search": view_args.search,
                **view_args.extra_args,
                "page_size": self.get_safe_page_size(view_args.page_size),
                **self._get_filters(view_args.filters)}
        query = urlencode([(k, v) for k, v in args.items() if v is not None], safe=QUERY_SAFE)
        path = path_for(f"{self.endpoint}.index_view")
        return f"{path}?{query}" if query else path

    def _handle_join(self, query, field, joins):
        return query

    def init_search(self):
        for column in self.column_searchable_list or ():
            field = getattr(self.model, column) if isinstance(column, str) else column
            base = field.field if isinstance(field, FieldAlias) else field
            if not isinstance(base, (CharField, TextField)):
                raise TypeError(f"Can only search on text columns, not {column!r}")
            self._search_fields.append(field)
        return bool(self._search_fields)

    def _sort_clause(self, query, joins, sort_field, sort_desc):
        field = getattr(self.model, sort_field) if isinstance(sort_field, str) else sort_field
        if isinstance(field, Ordering):
            return query, joins, field
        return query, joins, field.desc() if sort_desc else field.asc()

    # a view's own search: search_query(query, text) -> (query, order), `order` (or None)
    # replacing the default order of the results
    search_query = None

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        """Flask-Admin's (count, rows), its SQL kept per list shape (see _kept_list)."""
        size = self.page_size if page_size is None else page_size
        if not execute or not size or not self.simple_list_pager:
            return self._built_list(page, sort_column, sort_desc, search, filters,
                                    execute=execute, page_size=page_size)
        query, sql, params = self._kept_list(page, sort_column, sort_desc, search, filters, size)
        if page:
            params = [*params[:-1], page * size]
        rows = query._get_cursor_wrapper(database.execute_sql(sql, params))
        if not self.rows_kept_whole:
            return None, list(rows)
        rows.initialize()
        rows.initialized = True
        return None, [ListRow(values, rows.process_row) for values in rows.cursor.fetchall()]

    # a view whose list rows are rendered whole and kept (templates/admin/moderation_list.html)
    # reads a row's model instance only to render it the first time (ListRow)
    rows_kept_whole = False

    def _kept_list(self, page, sort_column, sort_desc, search, filters, size):
        """(query, sql, params) of a list page: built and compiled once per view and shape
        (sort, search, filters, page size, first page or not), then run with the page's
        OFFSET, the last parameter of the SQL. Building and compiling the query was a
        third of a list page; the rows are read by the query's own cursor wrapper.
        Holds while get_query() and the filters read nothing but their arguments."""
        key = (type(database.obj), sort_column, sort_desc, search, repr(filters), size, bool(page))
        kept = self.__dict__.setdefault("_kept_lists", {})
        if key not in kept:
            _, query = self._built_list(page, sort_column, sort_desc, search, filters,
                                        execute=False, page_size=size)
            sql, params = query.sql()
            if page and params[-1:] != [page * size]:
                raise RuntimeError(f"{self.endpoint}: the list's OFFSET is not its last parameter")
            if len(kept) >= KEPT_LISTS:
                kept.clear()
            kept[key] = (query, sql, params)
        return kept[key]

    def _built_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                    page_size=None):
        if not (search and self.search_query is not None):
            return super().get_list(page, sort_column, sort_desc, search, filters,
                                    execute=execute, page_size=page_size)
        found, order = self.search_query(self.get_query(), search)
        # a copy for this call: the view object is shared by every request
        view = copy.copy(self)
        view.get_query = lambda: found
        if order is not None and sort_column is None:
            view._get_default_order = lambda: order
        return super(FlaskAdminFixes, view).get_list(page, sort_column, sort_desc, None, filters,
                                                     execute=execute, page_size=page_size)

    def _order_by(self, query, joins, order):
        query, joins = super()._order_by(query, joins, order)
        last = order[-1][0] if order else None
        if isinstance(last, Ordering) and isinstance(last.node, RowIDField):
            return query, joins
        last_desc = bool(order[-1][1]) if order else True
        pk = self.model._meta.primary_key
        return query.order_by_extend(pk.desc() if last_desc else pk.asc()), joins

    def get_one(self, id):
        pk = parse_id(id)
        if pk is None:
            return None
        return self.get_query().where(self.model._meta.primary_key == pk).first()

    def _export_data(self):
        view_args = self._get_list_extra_args()
        column = self._get_column_by_idx(view_args.sort)
        count, query = self.get_list(0, column[0] if column else None, view_args.sort_desc,
                                     view_args.search, view_args.filters, execute=False,
                                     page_size=self.export_max_rows)
        return count, _stream(query)


class ListRow:
    """A row of a list page as the database sent it (`values`); the model instance its
    cells are rendered from (`model`) is built on first use. A row whose HTML is kept
    (ModeratorView.kept_cells, keyed on the values) needs none: building the instances
    of a message, its author and the rest was a tenth of a list page."""

    __slots__ = ("values", "_build", "_model")

    def __init__(self, values, build):
        self.values, self._build, self._model = values, build, None

    @property
    def model(self):
        if self._model is None:
            self._model = self._build(self.values)
        return self._model

    def __getattr__(self, name):
        return getattr(self.model, name)


def _usable_url(url):
    """False for a return address urlsplit cannot parse, or holding a newline or another
    control character (it would end in the Location header)."""
    try:
        urlsplit(url)
    except ValueError:
        return False
    return url.isprintable()


def _stream(query):
    """Rows of `query` one at a time, on a connection of their own: Flask reads a
    streamed body after the request's teardown has closed the request's connection."""
    with database.connection_context():
        yield from query.iterator()
