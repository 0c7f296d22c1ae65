"""The back office's follows view (/admin/relationship/): filters and search on
either side, sorting, both names shown, removing a follow. (`follows` is in
tests/conftest.py.)"""
from adminapp.models import Relationship
from tests import admin_support as adm


def test_relationship_filters_and_search_on_each_side(client, as_mod, follows):
    def pairs(query):
        ids = adm.listed(client, "relationship", query)
        return sorted(pair for pair, pk in follows.items() if pk in ids)

    assert pairs("?flt0_follower_equals=alice") == [("alice", "bob"), ("alice", "carol")]
    assert pairs("?flt0_follows_equals=carol") == [("alice", "carol"), ("bob", "carol")]
    assert pairs("?flt0_follower_contains=bo") == [("bob", "carol")]
    assert pairs("?flt0_follows_contains=bo") == [("alice", "bob")]
    assert pairs("?flt0_follower_equals=alice&flt1_follows_equals=carol") == [("alice", "carol")]
    assert pairs("?search=bob") == [("alice", "bob"), ("bob", "carol")]   # either side


def test_relationships_sort_on_both_sides(client, as_mod, follows):
    by_follower = adm.listed(client, "relationship", "?sort=0")
    assert by_follower[-1] == follows[("bob", "carol")]
    by_followed = adm.listed(client, "relationship", "?sort=1&desc=1")
    assert by_followed[0] in (follows[("alice", "carol")], follows[("bob", "carol")])
    assert by_followed[-1] == follows[("alice", "bob")]


def test_relationship_list_shows_both_names(client, as_mod, follows):
    page = client.get("/admin/relationship/").get_data(as_text=True)
    assert page.count('href="/users/alice/"') == 2 and page.count('href="/users/carol/"') == 2


def test_moderator_removes_a_follow(client, as_mod, follows, audit_rows):
    adm.act(client, "relationship", "remove", [follows[("alice", "bob")]], reason="bot ring")
    assert not Relationship.select().where(Relationship.id == follows[("alice", "bob")]).exists()
    assert Relationship.select().count() == 2
    entry, = audit_rows("remove_follow")
    assert (entry.actor_id, entry.details["before"], entry.details["reason"]) == \
        (as_mod.id, "alice follows bob", "bot ring")
