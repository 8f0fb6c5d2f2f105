"""The `World` most tests start from: two centres, their organisations, one user per role, and cases.

Every row is made by the per-app factories (tests/<app>/factories.py), so there is one way to make each
thing; the names tests import from here (PASSWORD, valid_id_number, valid_phone) are re-exported."""

from typing import Any

from cases.models import Case
from core.models import Organisation, Role
from core.services import centre_staff_organisation
from tests.cases.factories import CaseFactory
from tests.core.factories import (
    PASSWORD,
    CentreFactory,
    OrganisationFactory,
    StaffFactory,
    valid_id_number,
    valid_phone,
)

__all__ = ["PASSWORD", "World", "valid_id_number", "valid_phone"]


class World:
    """Two centres with a creditor each (quanzhou has two), a committee, a court and one user per role."""

    def __init__(self) -> None:
        self.qz = CentreFactory(code="quanzhou", name="泉州信用修复中心", region_code="350500")
        self.ly = CentreFactory(code="longyan", name="龙岩普惠金融司法协同中心", region_code="350800")
        self.bank = OrganisationFactory(centre=self.qz, code="demo-bank", name="示范银行")
        self.cf = OrganisationFactory(centre=self.qz, code="demo-consumer-finance", name="示范消费金融")
        self.rural = OrganisationFactory(centre=self.ly, code="demo-rural-bank", name="示范农商银行")
        self.committee = OrganisationFactory(
            centre=self.qz, kind=Organisation.Kind.COMMITTEE, code="qz-committee", name="泉州人民调解委员会"
        )
        self.court = OrganisationFactory(
            centre=self.qz,
            kind=Organisation.Kind.COURT,
            code="qz-court",
            name="泉州市鲤城区人民法院",
            court_number_prefix="闽0502",
        )
        self.ly_committee = OrganisationFactory(
            centre=self.ly, kind=Organisation.Kind.COMMITTEE, code="ly-committee", name="龙岩人民调解委员会"
        )
        self.ly_court = OrganisationFactory(
            centre=self.ly,
            kind=Organisation.Kind.COURT,
            code="ly-court",
            name="龙岩市新罗区人民法院",
            court_number_prefix="闽0802",
        )
        self.creditor1 = StaffFactory(username="creditor1", organisation=self.bank, role=Role.CREDITOR_STAFF)
        self.creditor2 = StaffFactory(username="creditor2", organisation=self.cf, role=Role.CREDITOR_STAFF)
        self.mediator1 = StaffFactory(username="mediator1", organisation=self.committee, role=Role.MEDIATOR)
        self.judge1 = StaffFactory(username="judge1", organisation=self.court, role=Role.JUDGE)
        self.clerk1 = StaffFactory(username="clerk1", organisation=self.court, role=Role.CLERK)
        self.admin = StaffFactory(
            username="centreadmin", organisation=centre_staff_organisation(self.qz), role=Role.CENTRE_ADMIN
        )
        self.judge2 = StaffFactory(username="judge2", organisation=self.ly_court, role=Role.JUDGE)

    def case(self, creditor: Organisation | None = None, *, routed: bool = True, **fields: Any) -> Case:
        creditor = creditor or self.bank
        if routed:
            same_centre = creditor.centre_id == self.qz.pk
            fields = {
                "committee": self.committee if same_centre else self.ly_committee,
                "court": self.court if same_centre else self.ly_court,
                "mediator": self.mediator1 if same_centre else None,
                **fields,
            }
        return CaseFactory(creditor=creditor, **fields)

    def consent_to_confirmation(self, case: Case) -> Case:
        """Both parties consent to apply jointly for judicial confirmation (CPL 205 (201); Interp. 351): the
        debtor in the debtor pages, the creditor's staff in the creditor pages."""
        from core.actors import SYSTEM
        from mediation.services import settlement_confirmation_consent
        from tests.mediation.factories import creditor_staff

        settlement_confirmation_consent(case=case, party="debtor", actor=SYSTEM, how="debtor pages")
        return settlement_confirmation_consent(case=case, party="creditor", actor=creditor_staff(case))
