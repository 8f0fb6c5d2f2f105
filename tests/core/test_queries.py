"""Query helpers: ids as one array parameter, counts as scalar subqueries."""

import pytest

from cases.models import Case
from core.models import Membership
from core.queries import SubqueryCount

pytestmark = pytest.mark.usefixtures("english")


def test_any_of_finds_the_listed_ids_and_nothing_for_an_empty_list(world):
    cases = [world.case() for _ in range(3)]
    wanted = [cases[0].pk, cases[2].pk, 999_999]

    assert sorted(Case.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == wanted[:2]
    assert not Case.objects.filter(pk__any_of=[]).exists()
    assert Case.objects.exclude(pk__any_of=wanted).get() == cases[1]


def test_subquery_counts_travel_in_one_row(world, django_assert_num_queries):
    for _ in range(2):
        world.case()
    with django_assert_num_queries(1):
        row = (
            Membership.objects.filter(user=world.mediator1)
            .annotate(all=SubqueryCount(Case.objects.all()), none=SubqueryCount(Case.objects.filter(pk=0)))
            .values("all", "none")
            .get()
        )
    assert row == {"all": 2, "none": 0}
