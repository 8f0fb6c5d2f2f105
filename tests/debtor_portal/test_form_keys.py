"""The debtor's create forms carry a one-time key: a plan sent twice (a double tap, a resent page) is one
plan, and the debtor is told the second was not sent again."""

import re

from django.urls import reverse

from mediation.models import Proposal

from .conftest import identify, mediation_case
from .test_proposals import propose


def _key(client, url):
    html = client.get(url).content.decode()
    return re.search(r'name="form_key" value="([^"]+)"', html).group(1)


def test_a_plan_sent_twice_with_the_same_key_is_one_plan(world, english):
    case = mediation_case(world)
    identify(english, case)
    url = reverse("debtor:propose", args=[case.pk])
    key = _key(english, url)

    first = propose(english, case, form_key=key)
    again = english.post(url, {"total": "10,600", "form_key": key}, follow=True)

    assert first.status_code == 302
    assert Proposal.objects.filter(case=case, party="debtor").count() == 1
    assert "This form was already sent; it was not processed a second time." in again.content.decode()
    assert again.redirect_chain[-1][0] == first["Location"]


def test_every_create_form_of_the_debtor_pages_carries_a_key(world, english):
    case = mediation_case(world)
    identify(english, case)
    for name in ("debtor:propose", "debtor:hardship", "debtor:object"):
        html = english.get(reverse(name, args=[case.pk])).content.decode()
        assert 'name="form_key"' in html, name


def test_the_come_forward_form_carries_a_key(world, client):
    assert 'name="form_key"' in client.get(reverse("debtor:come_forward")).content.decode()
