"""PostgreSQL's plans of the prepared statements (compiled.Shape): the shapes marked
`generic` run their generic plan from the first run, planned once, and the others are
left to PostgreSQL's choice (a custom plan for each of the first five runs)."""
import pytest

from adminapp import db
from adminapp.compiled import Shape
from adminapp.db import database
from adminapp.models import User


@pytest.fixture
def postgres(app):
    if db.is_sqlite():
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    return app


def plans(statement_part):
    """{statement: (generic plans, custom plans)} of this connection's prepared statements
    whose SQL holds `statement_part`."""
    rows = database.execute_sql("SELECT statement, generic_plans, custom_plans "
                                "FROM pg_prepared_statements").fetchall()
    return {sql: (generic, custom) for sql, generic, custom in rows if statement_part in sql}


def test_a_generic_shape_is_never_planned_again_and_the_others_are_left_alone(postgres,
                                                                              make_user):
    alice = make_user("alice")
    generic = Shape(lambda p: User.select(User.id).where(User.id == p(0)), generic=True)
    chosen = Shape(lambda p: User.select(User.username).where(User.id == p(0)))
    with postgres.app_context():
        for _ in range(3):  # in turns: the connection's plan_cache_mode switches each time
            assert generic.rows(alice.id) == [(alice.id,)]
            assert chosen.rows(alice.id) == [("alice",)]
        assert list(plans('SELECT "t1"."id" FROM').values()) == [(3, 0)]
        assert list(plans('SELECT "t1"."username" FROM').values()) == [(0, 3)]


def test_the_tag_page_and_the_people_search_run_their_generic_plans(postgres, client,
                                                                    make_user):
    alice = make_user("alice")
    make_user("albert")
    with postgres.app_context():
        alice.post("a #walk in the park")
    for _ in range(6):
        assert "#walk" in client.get("/tags/walk/").get_data(as_text=True)
        assert "albert" in client.get("/search/?q=al").get_data(as_text=True)
    with postgres.app_context():
        for part in ('FROM "message_tag"', '"t1"."bio" FROM "user"'):
            found = plans(part)
            assert found and all(custom == 0 for _, custom in found.values()), found
