"""Thresholds, dated LPR and lender statuses in /admin/: a centre admin sees only their centre."""

from datetime import date
from decimal import Decimal

from oversight.models import LprRate
from oversight.services import rule_settings
from tests.factories import PASSWORD


def test_a_centre_admin_edits_only_their_centres_settings(client, world):
    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    rule_settings(world.qz)
    rule_settings(world.ly)
    LprRate.objects.create(centre=world.ly, effective_from=date(2025, 5, 20), one_year_rate=Decimal("3.000"))
    assert client.login(username="centreadmin", password=PASSWORD)
    listing = client.get("/admin/oversight/rulesettings/").content.decode()
    assert "泉州信用修复中心" in listing and "龙岩普惠金融司法协同中心" not in listing
    assert "2025" not in client.get("/admin/oversight/lprrate/").content.decode()
    form = client.get("/admin/oversight/lenderstatus/add/").content.decode()
    assert "示范银行" in form and "示范农商银行" not in form
    response = client.post(
        "/admin/oversight/lprrate/add/",
        {"centre": world.qz.pk, "effective_from": "2025-05-20", "one_year_rate": "3.000"},
    )
    assert response.status_code == 302
    assert LprRate.objects.filter(centre=world.qz, one_year_rate=Decimal("3.000")).exists()
