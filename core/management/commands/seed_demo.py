"""Demo data for `make run`: two centres, their organisations and staff, and cases in every stage.

Everything goes through core.services and cases.services (no stage is ever set directly), so the demo
cases carry the same events, deadlines and holds as real ones. Deterministic (random.Random(2026)) and
idempotent: when the demo contract numbers already exist it says so and changes nothing.
"""

import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from cases import services
from cases.models import Case, Colour, Hold, Product, Stage, Track
from core.actors import SYSTEM
from core.identifiers import id_number_check_char
from core.models import Centre, Organisation, Role
from core.services import centre_create, centre_staff_organisation, organisation_create, staff_user_create

PASSWORD = "demo-pass-2026"
SEED = 2026

SURNAMES = "陈林黄张吴王李郑刘蔡杨许洪曾苏谢庄施周叶邱何柯卢傅郭赖游江罗"
GIVEN_MALE = ["志强", "建华", "伟", "国栋", "文斌", "海峰", "俊杰", "明辉", "振宇", "晓东",
              "家豪", "子轩", "永福", "金水", "荣华", "德明", "少华", "鸿", "炳坤", "天佑",
              "锦程", "宏伟", "清泉", "辉"]  # fmt: skip
GIVEN_FEMALE = ["秀英", "丽娟", "美玲", "雅婷", "淑芬", "晓燕", "婷婷", "慧敏", "秀兰", "佳怡",
                "丽华", "雪梅", "燕萍", "碧霞", "惠珍", "梦琪", "玉兰", "春梅", "嘉欣", "思琪",
                "丽琴", "静"]  # fmt: skip
MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "176", "177", "180", "182", "185", "186", "187", "188", "189",
                   "198", "199"]  # fmt: skip


@dataclass(frozen=True)
class CentreSpec:
    code: str
    name: str
    region: str
    city: str
    districts: dict[str, str]  # region code -> district name
    streets: tuple[str, ...]


QUANZHOU = CentreSpec(
    "quanzhou",
    "泉州信用修复中心",
    "350500",
    "泉州市",
    {
        "350502": "鲤城区",
        "350503": "丰泽区",
        "350504": "洛江区",
        "350505": "泉港区",
        "350521": "惠安县",
        "350524": "安溪县",
        "350525": "永春县",
        "350526": "德化县",
        "350581": "石狮市",
        "350582": "晋江市",
        "350583": "南安市",
    },
    ("中山路", "温陵路", "刺桐路", "泉秀路", "丰泽街", "田安路", "新华路", "湖心街", "宝洲路", "津头埔路"),
)
LONGYAN = CentreSpec(
    "longyan",
    "龙岩普惠金融司法协同中心",
    "350800",
    "龙岩市",
    {
        "350802": "新罗区",
        "350803": "永定区",
        "350821": "长汀县",
        "350823": "上杭县",
        "350824": "武平县",
        "350825": "连城县",
        "350881": "漳平市",
    },
    ("九一路", "登高路", "龙腾路", "人民路", "西安路", "北环路", "华莲路", "龙川路", "曹溪路", "中山路"),
)


@dataclass(frozen=True)
class CreditorSpec:
    code: str
    name: str
    ref_prefix: str
    products: tuple[str, ...]
    login: str


CREDITORS = {
    "quanzhou": [
        CreditorSpec(
            "demo-bank",
            "示范银行泉州分行",
            "XYK",
            (Product.CREDIT_CARD, Product.CREDIT_CARD, Product.CONSUMER_LOAN),
            "creditor1",
        ),
        CreditorSpec(
            "demo-consumer-finance",
            "示范消费金融有限公司",
            "XFD",
            (Product.CONSUMER_LOAN, Product.MICROLOAN),
            "creditor2",
        ),
    ],
    "longyan": [
        CreditorSpec(
            "demo-rural-bank",
            "龙岩示范农村商业银行",
            "NSH",
            (Product.CREDIT_CARD, Product.CONSUMER_LOAN, Product.MICROLOAN),
            "creditor3",
        ),
    ],
}

# username, first name, organisation key (see _organisations), role
STAFF = [
    ("creditor1", "林晓芳", "demo-bank", Role.CREDITOR_STAFF),
    ("creditor2", "陈志远", "demo-consumer-finance", Role.CREDITOR_STAFF),
    ("mediator1", "黄秀琴", "qz-committee", Role.MEDIATOR),
    ("judge1", "郑国平", "qz-court", Role.JUDGE),
    ("clerk1", "吴丽萍", "qz-court", Role.CLERK),
    ("centreadmin", "蔡建新", "quanzhou-centre", Role.CENTRE_ADMIN),
    ("judge2", "赖文华", "ly-court", Role.JUDGE),
    ("mediator2", "邱美玉", "ly-committee", Role.MEDIATOR),
    ("creditor3", "罗俊明", "demo-rural-bank", Role.CREDITOR_STAFF),
]

# --- the paths that bring a case to each stage: (transition, who acts, reason) ----------------------

Step = tuple[str, str, str]
TRIAGE: Step = ("triage", "system", "")
START: Step = ("start_mediation", "system", "")
ESCALATE: list[Step] = [
    ("escalate_to_court", "mediator", "人民调解期间债务人未能提出可行的还款方案，转法院诉前调解"),
    ("escalate_to_court", "mediator", "债务人多次电话联系未接听，人民调解未果，转法院诉前调解"),
    ("escalate_to_court", "mediator", "债务人对利息和违约金计算有异议，需法院介入调解"),
]
SETTLE: list[Step] = [
    ("settle", "mediator", "双方达成调解协议：债务人分12期偿还本金，债权人减免部分利息"),
    ("settle", "mediator", "双方达成调解协议：债务人于30日内一次性偿还本金及部分利息"),
    ("settle", "mediator", "双方达成调解协议：债务人分6期偿还，债权人免除违约金"),
]
REQUEST: Step = ("request_confirmation", "mediator", "双方共同申请司法确认")
CONFIRM: Step = ("confirm", "judge", "调解协议系双方自愿达成，内容不违反法律规定，予以确认")
REJECT: Step = ("reject_confirmation", "judge", "调解协议约定的违约金明显过高，不予确认，退回继续调解")
PERFORM_UNCONFIRMED: Step = ("perform_without_confirmation", "creditor", "债务人按调解协议开始自愿履行")
BEGIN: Step = ("begin_performance", "creditor", "债务人开始按期还款")
PAYMENT_ORDER: Step = ("apply_payment_order", "creditor", "债权债务关系明确，申请支付令")
SUIT: Step = ("file_suit", "creditor", "诉前调解未成，提起诉讼")
SUIT_AFTER_OBJECTION: Step = (
    "file_suit",
    "creditor",
    "债务人在法定期间内提出书面异议，支付令失效，转入诉讼程序",
)
ORDER_EFFECTIVE: Step = ("order_effective", "clerk", "债务人收到支付令后十五日内未提出书面异议")
JUDGMENT: Step = ("judgment_effective", "judge", "判决已送达，上诉期届满未上诉，判决生效")
ENFORCE: Step = ("apply_enforcement", "creditor", "债务人未在履行期内履行生效法律文书，申请强制执行")
ENFORCE_BREACH: Step = ("apply_enforcement", "creditor", "债务人未按调解协议履行第3期还款，申请强制执行")
SUSPEND: Step = (
    "suspend_enforcement",
    "judge",
    "经网络查控及现场调查，被执行人名下无可供执行财产，终结本次执行程序",
)
PERFORMED: list[Step] = [
    ("record_full_performance", "creditor", "债务人已按调解协议结清全部欠款"),
    ("record_full_performance", "creditor", "债务人一次性结清全部欠款"),
]
PERFORMED_BY_COURT: Step = ("record_full_performance", "clerk", "执行款已全部到账，执行完毕")
REPAIR: Step = ("start_credit_repair", "clerk", "债务已履行完毕，启动信用修复")
CLOSE: Step = ("close", "clerk", "已移除失信名单并出具信用修复证明")
CLOSE_INVALID: list[Step] = [
    ("close_invalid", "judge", "债权人提交的借款合同签署人与债务人身份信息不符，诉请不成立"),
    ("close_invalid", "judge", "诉讼时效已届满且无中止、中断事由"),
]
WITHDRAW: list[Step] = [
    ("withdraw", "creditor", "债务人已与债权人自行和解并结清"),
    ("withdraw", "creditor", "债权人内部复核后决定撤回该案"),
    ("withdraw", "creditor", "该笔债权已转让，债权人撤回"),
]


def _paths(rng: random.Random) -> dict[str, list[list[Step]]]:
    """Alternative step lists per target stage; one is picked at random for each case."""
    mediation = [TRIAGE, START]
    court = [*mediation, rng.choice(ESCALATE)]
    settled = [*mediation, rng.choice(SETTLE)]
    settled_in_court = [*court, rng.choice(SETTLE)]
    confirmed = [*settled, REQUEST, CONFIRM]
    performing = [*confirmed, BEGIN]
    order = [*court, PAYMENT_ORDER]
    order_effective = [*order, ORDER_EFFECTIVE]
    judgment = [*court, SUIT, JUDGMENT]
    enforcement = [*order_effective, ENFORCE]
    performed = [*performing, rng.choice(PERFORMED)]
    repair = [*performed, REPAIR]
    return {
        Stage.RECEIVED: [[]],
        Stage.TRIAGED: [[TRIAGE]],
        Stage.IN_MEDIATION: [mediation],
        Stage.COURT_MEDIATION: [court, court, [*settled_in_court, REQUEST, REJECT]],
        Stage.SETTLED: [settled, settled_in_court],
        Stage.CONFIRMATION_REQUESTED: [[*settled, REQUEST], [*settled_in_court, REQUEST]],
        Stage.CONFIRMED: [confirmed],
        Stage.PERFORMING: [performing, performing, [*settled, PERFORM_UNCONFIRMED]],
        Stage.PAYMENT_ORDER: [order],
        Stage.IN_LITIGATION: [[*court, SUIT], [*order, SUIT_AFTER_OBJECTION]],
        Stage.ENFORCEABLE: [order_effective, judgment],
        Stage.IN_ENFORCEMENT: [enforcement, [*judgment, ENFORCE], [*performing, ENFORCE_BREACH]],
        Stage.ENFORCEMENT_SUSPENDED: [[*enforcement, SUSPEND]],
        Stage.PERFORMED: [performed, [*mediation, rng.choice(PERFORMED)], [*enforcement, PERFORMED_BY_COURT]],
        Stage.CREDIT_REPAIR: [repair],
        Stage.CLOSED: [[*repair, CLOSE], [*repair, CLOSE], [TRIAGE, rng.choice(CLOSE_INVALID)]],
        Stage.WITHDRAWN: [
            [rng.choice(WITHDRAW)],
            [*mediation, rng.choice(WITHDRAW)],
            [*court, rng.choice(WITHDRAW)],
        ],
    }


# How many cases end in each stage: a funnel, wide at the top. Sums: 240 and 60.
QUANZHOU_STAGES: dict[str, int] = {
    Stage.RECEIVED: 20,
    Stage.TRIAGED: 20,
    Stage.IN_MEDIATION: 30,
    Stage.COURT_MEDIATION: 20,
    Stage.SETTLED: 15,
    Stage.CONFIRMATION_REQUESTED: 15,
    Stage.CONFIRMED: 10,
    Stage.PAYMENT_ORDER: 12,
    Stage.IN_LITIGATION: 12,
    Stage.ENFORCEABLE: 10,
    Stage.PERFORMING: 15,
    Stage.IN_ENFORCEMENT: 10,
    Stage.ENFORCEMENT_SUSPENDED: 6,
    Stage.PERFORMED: 12,
    Stage.CREDIT_REPAIR: 8,
    Stage.CLOSED: 12,
    Stage.WITHDRAWN: 13,
}
LONGYAN_STAGES: dict[str, int] = dict.fromkeys([stage.value for stage in Stage], 3) | {
    Stage.RECEIVED: 5,
    Stage.TRIAGED: 4,
    Stage.IN_MEDIATION: 7,
    Stage.COURT_MEDIATION: 4,
    Stage.PERFORMING: 4,
}

# (kind, reason, lift reason or "" to leave it active)
HOLDS = [
    (Hold.Kind.OBJECTION, "债务人提出书面异议，称已于2024年归还部分款项，正在核实还款凭证", ""),
    (Hold.Kind.HARDSHIP, "债务人因重病住院治疗，家庭收入中断，申请困难救助，暂缓办理", ""),
    (Hold.Kind.DEATH, "债务人家属来电告知债务人已于2025年病故，待核实死亡证明及继承人情况", ""),
    (Hold.Kind.IDENTITY_THEFT, "债务人称身份证遗失后被冒用办理信用卡，已向公安机关报案", ""),
    (
        Hold.Kind.OBJECTION,
        "债务人对违约金计算提出异议，要求债权人提供明细",
        "债权人已提供计算明细，异议不成立，恢复办理",
    ),
    (Hold.Kind.HARDSHIP, "债务人失业，申请暂缓三个月", ""),
    (Hold.Kind.OBJECTION, "债务人称借款合同签名非本人所签，申请笔迹核对", ""),
    (
        Hold.Kind.HARDSHIP,
        "债务人遭遇台风灾害，房屋受损，申请暂缓还款",
        "债务人已恢复工作，困难救助期满，恢复办理",
    ),
]
PRE_COURT_STAGES = [Stage.TRIAGED, Stage.IN_MEDIATION, Stage.SETTLED]
HOLD_STAGES = [
    Stage.TRIAGED,
    Stage.IN_MEDIATION,
    Stage.COURT_MEDIATION,
    Stage.SETTLED,
    Stage.PAYMENT_ORDER,
    Stage.IN_LITIGATION,
    Stage.PERFORMING,
    Stage.IN_ENFORCEMENT,
]


@dataclass
class CasePlan:
    creditor: CreditorSpec
    target: str
    steps: list[Step]
    values: dict[str, Any] = field(default_factory=dict)


class DemoPeople:
    """Debtors with plausible names, ID numbers (GB 11643 check character) and mobile numbers."""

    def __init__(self, rng: random.Random, spec: CentreSpec) -> None:
        self.rng, self.spec = rng, spec
        self.used_ids: set[str] = set()

    def person(self) -> dict[str, str]:
        rng = self.rng
        male = rng.random() < 0.55
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        region = rng.choice(list(self.spec.districts))
        while True:
            birth = date(1960, 1, 1) + timedelta(
                days=rng.randrange((date(2000, 12, 31) - date(1960, 1, 1)).days)
            )
            sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd 17th digit: male (GB 11643)
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            id_number = first17 + id_number_check_char(first17)
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                break
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        street = rng.choice(self.spec.streets)
        address = f"福建省{self.spec.city}{self.spec.districts[region]}{street}{rng.randint(1, 300)}号"
        return {"debtor_name": name, "id_number": id_number, "phone": phone, "address": address}


def _claim(rng: random.Random, creditor: CreditorSpec, seq: int) -> dict[str, Any]:
    product = rng.choice(creditor.products)
    principal = Decimal(rng.randrange(200_000, 8_000_001)) / 100
    rates: dict[str, Decimal] = {
        Product.CREDIT_CARD: Decimal("18.250"),
        Product.CONSUMER_LOAN: Decimal(rng.choice(["7.200", "9.600", "12.000", "15.400", "23.900"])),
        Product.MICROLOAN: Decimal(rng.choice(["18.000", "21.600", "24.000"])),
    }
    rate = rates[product]
    overdue = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 640))
    months_overdue = Decimal((date(2026, 1, 1) - overdue).days) / 30
    interest = (principal * rate / 100 * months_overdue / 12).quantize(Decimal("0.01"))
    fees = (principal * Decimal(rng.choice(["0", "0.01", "0.02", "0.03", "0.05"]))).quantize(Decimal("0.01"))
    consent = rng.random() < 0.45
    year = overdue.year - rng.choice([1, 2, 3])
    return {
        "external_ref": f"{creditor.ref_prefix}{year}{seq:06d}",
        "product": product,
        "principal": principal,
        "interest": interest,
        "fees": fees,
        "annual_rate": rate,
        "overdue_since": overdue,
        "contract_date": overdue - timedelta(days=rng.randrange(180, 1100)),
        "e_service_consent": consent,
    }


def _triage_params(values: dict[str, Any], rng: random.Random) -> dict[str, str]:
    total = values["principal"] + values["interest"] + values["fees"]
    colour = Colour.GREEN if total < 50_000 else Colour.YELLOW
    if rng.random() < 0.08:
        colour = Colour.RED
    track = Track.FAST if total <= 100_000 and colour != Colour.RED else Track.SLOW
    return {"colour": colour, "track": track}


def plan_centre(rng: random.Random, spec: CentreSpec, stages: dict[str, int]) -> list[CasePlan]:
    people = DemoPeople(rng, spec)
    creditors = CREDITORS[spec.code]
    targets = [stage for stage, count in stages.items() for _ in range(count)]
    rng.shuffle(targets)
    plans: list[CasePlan] = []
    for seq, target in enumerate(targets, start=1):
        creditor = creditors[seq % len(creditors)]
        paths = _paths(rng)[target]
        values = _claim(rng, creditor, seq) | people.person()
        plans.append(CasePlan(creditor, target, list(rng.choice(paths)), values))
    # A few debtors owe both quanzhou creditors: the same person, linked by the keyed ID hash.
    if len(creditors) > 1:
        pool = iter(plans)
        for plan in plans[-8:]:
            other = next(p for p in pool if p.creditor != plan.creditor)
            for key in ("debtor_name", "id_number", "phone", "address"):
                plan.values[key] = other.values[key]
    for plan in plans:
        if plan.values["e_service_consent"] and rng.random() < 0.5:
            plan.values["email"] = f"debtor{rng.randrange(10**6):06d}@example.cn"
    return plans


@contextmanager
def _sqlite_without_fsync() -> Iterator[None]:
    """On SQLite, skip fsync while seeding: the ~1,100 stage notifications run after the commit and each
    commits on its own (7 ms apiece on a plain disk). A crash loses only demo data; rerun the command."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # SQLite refuses it inside a transaction
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous = {previous}")


class Command(BaseCommand):
    help = "Create the demo centres, organisations, staff and a few hundred cases in every stage."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rng = random.Random(SEED)
        plans = plan_centre(rng, QUANZHOU, QUANZHOU_STAGES) + plan_centre(rng, LONGYAN, LONGYAN_STAGES)
        refs = [p.values["external_ref"] for p in plans]
        if Case.objects.filter(
            creditor__code__in=[c.code for cs in CREDITORS.values() for c in cs], external_ref__in=refs
        ).exists():
            self.stdout.write("demo data already present")
            return
        with _sqlite_without_fsync(), transaction.atomic():
            orgs, users = self._tenants()
            self._cases(plans, orgs, users, rng)
        self._summary(time.monotonic() - started)

    def _tenants(self) -> tuple[dict[str, Organisation], dict[str, Any]]:
        centres: dict[str, Centre] = {
            spec.code: centre_create(code=spec.code, name=spec.name, region_code=spec.region)
            for spec in (QUANZHOU, LONGYAN)
        }
        qz, ly = centres["quanzhou"], centres["longyan"]
        C, K = Organisation.Kind.CREDITOR, Organisation.Kind  # noqa: N806
        orgs = {
            spec.code: organisation_create(
                centre=centres[centre],
                kind=C,
                code=spec.code,
                name=spec.name,
                region_code=centres[centre].region_code,
            )
            for centre, specs in CREDITORS.items()
            for spec in specs
        }
        orgs["qz-committee"] = organisation_create(
            centre=qz,
            kind=K.COMMITTEE,
            code="qz-committee",
            name="泉州市鲤城区人民调解委员会",
            region_code="350502",
        )
        orgs["ly-committee"] = organisation_create(
            centre=ly,
            kind=K.COMMITTEE,
            code="ly-committee",
            name="龙岩市新罗区人民调解委员会",
            region_code="350802",
        )
        orgs["qz-court"] = organisation_create(
            centre=qz,
            kind=K.COURT,
            code="qz-court",
            name="泉州市鲤城区人民法院",
            region_code="350502",
            court_number_prefix="闽0502",
            letterhead="福建省泉州市鲤城区人民法院",
        )
        orgs["ly-court"] = organisation_create(
            centre=ly,
            kind=K.COURT,
            code="ly-court",
            name="龙岩市新罗区人民法院",
            region_code="350802",
            court_number_prefix="闽0802",
            letterhead="福建省龙岩市新罗区人民法院",
        )
        orgs["quanzhou-centre"] = centre_staff_organisation(qz)
        # One PBKDF2 hash for the nine logins that share the demo password: saves 3 s on every fresh seed.
        hashed = make_password(PASSWORD)
        for username, first_name, *_ in STAFF:
            get_user_model().objects.get_or_create(
                username=username, defaults={"first_name": first_name, "password": hashed}
            )
        users = {
            username: staff_user_create(
                username=username, password=PASSWORD, organisation=orgs[org], role=role, first_name=first_name
            )
            for username, first_name, org, role in STAFF
        }
        return orgs, users

    def _cases(
        self, plans: list[CasePlan], orgs: dict[str, Organisation], users: dict[str, Any], rng: random.Random
    ) -> None:
        by_centre = {
            "quanzhou": {
                "committee": orgs["qz-committee"],
                "court": orgs["qz-court"],
                "mediator": users["mediator1"],
                "judge": users["judge1"],
                "clerk": users["clerk1"],
            },
            "longyan": {
                "committee": orgs["ly-committee"],
                "court": orgs["ly-court"],
                "mediator": users["mediator2"],
                "judge": users["judge2"],
                "clerk": users["judge2"],
            },  # no clerk in longyan: the judge acts
        }
        holdable: list[tuple[Case, dict[str, Any]]] = []
        for plan in plans:
            creditor = orgs[plan.creditor.code]
            centre_code = "quanzhou" if plan.creditor in CREDITORS["quanzhou"] else "longyan"
            staff = by_centre[centre_code]
            actors = {"system": SYSTEM, "creditor": users[plan.creditor.login], **staff}
            case = services.case_create(creditor=creditor, actor=users[plan.creditor.login], **plan.values)
            services.case_route(
                case=case, committee=staff["committee"], court=staff["court"], mediator=staff["mediator"]
            )
            for name, who, reason in plan.steps:
                params: dict[str, Any] = _triage_params(plan.values, rng) if name == "triage" else {}
                services.case_transition(
                    case=case, transition=name, actor=actors[who], reason=reason, **params
                )
            if plan.target in HOLD_STAGES:
                holdable.append((case, staff))
        rng.shuffle(holdable)
        for (case, staff), (kind, reason, lift_reason) in zip(holdable, HOLDS * 2, strict=False):
            case.refresh_from_db()
            actor = staff["mediator"] if case.stage in PRE_COURT_STAGES else staff["judge"]
            hold = services.hold_place(case=case, kind=kind, actor=actor, reason=reason)
            if lift_reason:
                services.hold_lift(hold=hold, actor=actor, reason=lift_reason)

    def _summary(self, seconds: float) -> None:
        counts = Counter(Case.objects.values_list("centre__code", "stage"))
        held = Counter(Case.objects.filter(on_hold=True).values_list("centre__code", flat=True))
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {seconds:.1f} s."))
        self.stdout.write(f"{'stage':<24}{'quanzhou':>10}{'longyan':>10}")
        for stage in Stage:
            self.stdout.write(
                f"{stage.value:<24}{counts[('quanzhou', stage)]:>10}{counts[('longyan', stage)]:>10}"
            )
        self.stdout.write(f"{'on hold':<24}{held['quanzhou']:>10}{held['longyan']:>10}")
        self.stdout.write(f"\nLogins (password {PASSWORD}):")
        for username, first_name, org, role in STAFF:
            self.stdout.write(f"  {username:<12} {first_name:<4} {role.label} · {org}")
