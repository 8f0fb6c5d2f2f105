"""The platform admin (/admin/): every page opens, case data is read-only, full identifiers never show."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases import services
from cases.models import CaseEvent, Debtor
from core.actors import SYSTEM
from core.models import CalendarYear, Centre, Membership, Organisation, PiiAccessLog
from tests.factories import PASSWORD


@pytest.fixture
def operator(client, world):
    user = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(user)
    return user


@pytest.fixture
def case(world):
    case = world.case(phone="13912345678")
    services.case_transition(case=case, transition="triage", actor=SYSTEM)
    services.hold_place(case=case, kind="hardship", actor=world.mediator1, reason="住院")
    services.debtor_reveal_id_number(debtor=case.debtor, actor=world.judge1, purpose="核对身份")
    return case


def test_every_page_opens_and_hides_full_identifiers(client, operator, world, case):
    id_number = Debtor.objects.get(pk=case.debtor_id).id_number
    event = CaseEvent.objects.filter(case=case).first()
    pages = [
        reverse("admin:index"),
        reverse("admin:core_centre_changelist"),
        reverse("admin:core_centre_add"),
        reverse("admin:core_organisation_changelist"),
        reverse("admin:core_membership_changelist"),
        reverse("admin:core_membership_change", args=[world.judge1.membership.pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[world.judge1.pk]),
        reverse("admin:core_piiaccesslog_changelist"),
        reverse("admin:core_calendarday_changelist"),
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_caseevent_changelist"),
        reverse("admin:cases_caseevent_change", args=[event.pk]),
        reverse("admin:cases_debtor_changelist"),
        reverse("admin:cases_debtor_change", args=[case.debtor_id]),
        reverse("admin:cases_hold_changelist"),
        reverse("admin:cases_deadline_changelist"),
        reverse("admin:cases_batch_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert id_number not in content, url
        assert "13912345678" not in content, url


def test_case_data_is_read_only(client, operator, case):
    event = CaseEvent.objects.filter(case=case).first()

    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    assert client.get(reverse("admin:cases_caseevent_delete", args=[event.pk])).status_code == 403
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:core_piiaccesslog_add")).status_code == 403
    log = PiiAccessLog.objects.get()
    assert client.get(reverse("admin:core_piiaccesslog_delete", args=[log.pk])).status_code == 403


def test_search_cases_and_debtors_by_full_id_number(client, operator, world, case):
    other = world.case(debtor_name="李四")
    id_number = Debtor.objects.get(pk=case.debtor_id).id_number

    for name in ("admin:cases_case_changelist", "admin:cases_debtor_changelist"):
        content = client.get(reverse(name), {"q": id_number}).content.decode()
        assert case.debtor.id_number_masked in content
        assert other.debtor.id_number_masked not in content


def test_new_centre_gets_its_staff_organisation_and_calendar(client, operator, world):
    response = client.post(
        reverse("admin:core_centre_add"),
        {
            "code": "xiamen",
            "name": "厦门纠纷化解中心",
            "region_code": "350200",
            "average_wage": "100000.00",
            "average_wage_year": "2025",
            "average_wage_source": "福建省统计局公报",
            "fast_track_ceiling": "100000.00",
            "performance_grace_days": "5",
        },
    )

    assert response.status_code == 302
    centre = Centre.objects.get(code="xiamen")
    assert Organisation.objects.filter(centre=centre, kind="centre").exists()
    assert CalendarYear.objects.filter(centre=centre, year=2026).exists()


def test_membership_role_must_fit_the_organisation(client, operator, world):
    user = get_user_model().objects.create_user("newjudge", password=PASSWORD)

    response = client.post(
        reverse("admin:core_membership_add"),
        {"user": user.pk, "organisation": world.bank.pk, "role": "judge", "region_codes": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=user).exists()

    response = client.post(
        reverse("admin:core_membership_add"),
        {"user": user.pk, "organisation": world.court.pk, "role": "judge", "region_codes": ""},
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=user).organisation == world.court
