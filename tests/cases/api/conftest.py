from dataclasses import dataclass

import pytest

from cases import services
from cases.models import Case
from core.models import Role
from core.services import staff_user_create
from tests.core.api.conftest import _fresh_throttle  # noqa: F401
from tests.factories import PASSWORD


@dataclass
class Cases:
    bank: Case  # demo-bank, quanzhou, assigned to mediator1, qz-court
    bank_unrouted: Case  # demo-bank, no committee, court or mediator yet
    bank_pool: Case  # demo-bank, in qz-committee's pool (no mediator)
    bank_other_mediator: Case  # demo-bank, assigned to another mediator of the committee
    cf: Case  # demo-consumer-finance, quanzhou, assigned to mediator1
    rural: Case  # demo-rural-bank, longyan

    def codes(self, *names: str) -> set[str]:
        return {getattr(self, n).code for n in names}


@pytest.fixture
def cases(world) -> Cases:
    other = staff_user_create(username="mediator2", password=PASSWORD, organisation=world.committee,
                              role=Role.MEDIATOR)  # fmt: skip
    pool = world.case(routed=False)
    services.case_route(case=pool, committee=world.committee, court=world.court)
    other_case = world.case(routed=False)
    services.case_route(case=other_case, committee=world.committee, court=world.court, mediator=other)
    return Cases(
        bank=world.case(), bank_unrouted=world.case(routed=False), bank_pool=pool,
        bank_other_mediator=other_case, cf=world.case(world.cf), rural=world.case(world.rural),
    )  # fmt: skip
