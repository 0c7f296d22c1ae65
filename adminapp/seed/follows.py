"""The follows: a fixed number per person, toward popular people; demo follows and is followed."""
import datetime
import itertools
from random import Random

from adminapp.models import Relationship

from .bulk import insert_rows, phase

DEMO_FOLLOWS = 20  # so that demo's private timeline has something to show
DEMO_FANS = 0.05  # the share of people who follow demo


def pick_targets(rng, me, cum_weights, count):
    """Return `count` distinct indexes other than `me`, drawn by the weights of `cum_weights`."""
    size = len(cum_weights)
    if count >= size - 1:
        return [j for j in range(size) if j != me]
    chosen, picks = {me}, []
    for _ in range(20):
        for j in rng.choices(range(size), cum_weights=cum_weights, k=count - len(picks)):
            if j not in chosen:
                chosen.add(j)
                picks.append(j)
        if len(picks) == count:
            return picks
    # Heavy weights can starve the last few picks: finish them uniformly.
    rest = [j for j in range(size) if j not in chosen]
    return picks + rng.sample(rest, count - len(picks))


def follow_date(rng, a, b, joins, ages):
    """Return when the person `a` followed `b` (indexes in `joins`, their join dates, and
    `ages`, their seconds from joining to the anchor): after both had joined, before the anchor."""
    since, age = (joins[a], ages[a]) if ages[a] <= ages[b] else (joins[b], ages[b])
    return since + datetime.timedelta(seconds=int(rng.random() * age))


def follow_rows(rng, people, ids, per_user, anchor):
    """Yield (from_id, to_id, created) tuples: `per_user` follows each, demo max(per_user, 20).

    Targets lean toward popular people; about 5% of people have demo among their picks.
    """
    cum_weights = list(itertools.accumulate(p.weight for p in people))
    demo = next(i for i, p in enumerate(people) if p.username == "demo")
    fans = set(rng.sample(range(len(people)), max(1, int(len(people) * DEMO_FANS))))
    # reckoned once a person rather than per follow (datetime arithmetic)
    joins = [p.join_date for p in people]
    ages = [(anchor - when).total_seconds() for when in joins]
    for i in range(len(people)):
        count = max(per_user, DEMO_FOLLOWS) if i == demo else per_user
        targets = pick_targets(rng, i, cum_weights, count)
        if i in fans and i != demo and targets and demo not in targets:
            targets[-1] = demo
        for j in targets:
            yield ids[i], ids[j], follow_date(rng, i, j, joins, ages)


def load_follows(plan, per_user, progress):
    """Insert `per_user` follows per person (demo: at least DEMO_FOLLOWS); returns how many."""
    total = sum(min(len(plan.people) - 1, max(per_user, DEMO_FOLLOWS) if p.username == "demo"
                    else per_user) for p in plan.people)
    rows = follow_rows(Random(f"{plan.seed}:follows"), plan.people, plan.ids, per_user, plan.anchor)
    fields = [Relationship.from_user, Relationship.to_user, Relationship.created]
    with phase("follows", total, progress) as bar:
        return insert_rows(Relationship, fields, rows, bar)
