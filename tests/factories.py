"""Plain builders for tests: tenants, staff with roles, cases in any stage."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from cases import services
from cases.models import Case
from core.identifiers import id_number_check_char
from core.models import Organisation, Role
from core.services import centre_create, centre_staff_organisation, organisation_create, staff_user_create

PASSWORD = "demo-pass-2026"
_seq = itertools.count(1)


def valid_id_number(seq: int | None = None, birth: str = "19900101", region: str = "350502") -> str:
    n = next(_seq) if seq is None else seq
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


def valid_phone(seq: int | None = None) -> str:
    n = next(_seq) if seq is None else seq
    return f"139{n % 100000000:08d}"


class World:
    """Two centres with a creditor each (quanzhou has two), a committee, a court and one user per role."""

    def __init__(self) -> None:
        # Tests look at 2024-2027: seeding 23 years of holidays per centre would only slow every test down.
        years = range(2024, 2028)
        self.qz = centre_create(
            code="quanzhou", name="泉州信用修复中心", region_code="350500", calendar_years=years
        )
        self.ly = centre_create(
            code="longyan", name="龙岩普惠金融司法协同中心", region_code="350800", calendar_years=years
        )
        self.bank = organisation_create(
            centre=self.qz, kind=Organisation.Kind.CREDITOR, code="demo-bank", name="示范银行"
        )
        self.cf = organisation_create(
            centre=self.qz, kind=Organisation.Kind.CREDITOR, code="demo-consumer-finance", name="示范消费金融"
        )
        self.rural = organisation_create(
            centre=self.ly, kind=Organisation.Kind.CREDITOR, code="demo-rural-bank", name="示范农商银行"
        )
        self.committee = organisation_create(
            centre=self.qz, kind=Organisation.Kind.COMMITTEE, code="qz-committee", name="泉州人民调解委员会"
        )
        self.court = organisation_create(
            centre=self.qz,
            kind=Organisation.Kind.COURT,
            code="qz-court",
            name="泉州市鲤城区人民法院",
            court_number_prefix="闽0502",
        )
        self.ly_committee = organisation_create(
            centre=self.ly, kind=Organisation.Kind.COMMITTEE, code="ly-committee", name="龙岩人民调解委员会"
        )
        self.ly_court = organisation_create(
            centre=self.ly,
            kind=Organisation.Kind.COURT,
            code="ly-court",
            name="龙岩市新罗区人民法院",
            court_number_prefix="闽0802",
        )
        self.creditor1 = staff_user_create(
            username="creditor1", password=PASSWORD, organisation=self.bank, role=Role.CREDITOR_STAFF
        )
        self.creditor2 = staff_user_create(
            username="creditor2", password=PASSWORD, organisation=self.cf, role=Role.CREDITOR_STAFF
        )
        self.mediator1 = staff_user_create(
            username="mediator1", password=PASSWORD, organisation=self.committee, role=Role.MEDIATOR
        )
        self.judge1 = staff_user_create(
            username="judge1", password=PASSWORD, organisation=self.court, role=Role.JUDGE
        )
        self.clerk1 = staff_user_create(
            username="clerk1", password=PASSWORD, organisation=self.court, role=Role.CLERK
        )
        self.admin = staff_user_create(
            username="centreadmin",
            password=PASSWORD,
            organisation=centre_staff_organisation(self.qz),
            role=Role.CENTRE_ADMIN,
        )
        self.judge2 = staff_user_create(
            username="judge2", password=PASSWORD, organisation=self.ly_court, role=Role.JUDGE
        )

    def case(self, creditor: Organisation | None = None, *, routed: bool = True, **fields: Any) -> Case:
        creditor = creditor or self.bank
        seq = next(_seq)
        values: dict[str, Any] = {
            "external_ref": f"C{seq:08d}",
            "debtor_name": "张三",
            "id_number": valid_id_number(seq),
            "phone": valid_phone(seq),
            "principal": Decimal("10000.00"),
            "interest": Decimal("500.00"),
            "fees": Decimal("100.00"),
            "overdue_since": date(2025, 6, 1),
        }
        values.update(fields)
        case = services.case_create(creditor=creditor, **values)
        if routed:
            same_centre = creditor.centre_id == self.qz.pk
            services.case_route(
                case=case,
                committee=self.committee if same_centre else self.ly_committee,
                court=self.court if same_centre else self.ly_court,
                mediator=self.mediator1 if same_centre else None,
            )
            case.refresh_from_db()
        return case
