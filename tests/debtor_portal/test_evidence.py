"""Evidence files are served only to their debtor and to staff who reach the case."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Role
from core.services import centre_staff_organisation, staff_user_create
from core.uploads import sniff as sniff_type
from mediation.models import EvidenceFile
from tests.factories import PASSWORD

from .conftest import identify, mediation_case, photo, png_bytes


@pytest.fixture
def filed(world, client):
    """An objection's photo and a hardship request's PDF on a case of the bank (creditor1)."""
    case = mediation_case(world)
    identify(client, case)
    client.post(
        reverse("debtor:object", args=[case.pk]), {"ground": "other", "statement": "x", "evidence": [photo()]}
    )
    client.post(
        reverse("debtor:hardship", args=[case.pk]),
        {"kind": "serious_illness", "statement": "住院", "evidence": [photo("diagnosis.png")]},
    )
    objection_file = EvidenceFile.objects.get(objection__isnull=False)
    hardship_file = EvidenceFile.objects.get(hardship__isnull=False)
    return case, objection_file, hardship_file


def staff_client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def url(f: EvidenceFile) -> str:
    return reverse("debtor:evidence", args=[f.pk])


def test_the_debtor_reads_their_own_file(filed, client):
    _case, objection_file, _ = filed
    response = client.get(url(objection_file))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert "no-store" in response["Cache-Control"]


def test_nobody_else_reaches_the_files(world, filed):
    _case, objection_file, _hardship_file = filed
    assert Client().get(url(objection_file)).status_code == 404
    another_debtor = Client()
    identify(another_debtor, world.case())
    assert another_debtor.get(url(objection_file)).status_code == 404
    assert staff_client(world.creditor2).get(url(objection_file)).status_code == 404  # another creditor
    assert staff_client(world.judge2).get(url(objection_file)).status_code == 404  # another centre


def test_staff_who_reach_the_case_read_them_and_the_creditor_never_sees_hardship_papers(world, filed):
    _case, objection_file, hardship_file = filed
    mediator = staff_client(world.mediator1)
    assert mediator.get(url(objection_file)).status_code == 200
    assert mediator.get(url(hardship_file)).status_code == 200
    creditor = staff_client(world.creditor1)
    assert creditor.get(url(objection_file)).status_code == 200
    assert creditor.get(url(hardship_file)).status_code == 404
    other_admin = staff_user_create(
        username="lyadmin",
        password=PASSWORD,
        organisation=centre_staff_organisation(world.ly),
        role=Role.CENTRE_ADMIN,
    )
    assert staff_client(other_admin).get(url(hardship_file)).status_code == 404
    assert staff_client(world.admin).get(url(hardship_file)).status_code == 200


def sniff(head: bytes) -> str | None:
    file_type = sniff_type(head)
    return file_type.content_type if file_type else None


def test_types_are_known_by_their_first_bytes():
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert sniff(png_bytes()[:16]) == "image/png"
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"GIF89a") is None and sniff(b"<html>") is None and sniff(b"") is None
