"""Demo data for `make run`: two centres, their organisations and staff, and cases in every stage, each
carrying the records its history would leave (triage results, contacts, sessions, settlements, court
numbers, payment orders, suits, enforcements, payments, credit repair, notices).

Everything goes through the domain services of each app (no stage and no domain record is written
directly), so the demo cases carry the same events, deadlines, documents and holds as real ones. The
services stamp today's date; a last phase then spreads each case's history over the past year (import
batches by month, events re-hashed along their chain, payment dates) so that the time charts mean
something. Two more dates are set where they are made: instalment plans that began in the past (for
breaches) and one Enforcement date per 终本 case.
Deterministic (random.Random(2026)) and idempotent: when the demo contract numbers already exist it says
so and changes nothing.
"""

import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from itertools import cycle
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from cases import services
from cases.deadlines import add_months
from cases.models import Batch, Case, CaseEvent, Deadline, Hold, Product, Stage
from cases.selectors import cases_visible_to
from cases.services import BulkResult
from core.identifiers import id_number_check_char
from core.models import Centre, Organisation, Role
from core.services import centre_create, centre_staff_organisation, organisation_create, staff_user_create
from courts import services as courts
from courts.models import (
    Enforcement,
    EnforcementMeasure,
    Filing,
    PaymentOrder,
    PaymentOrderObjection,
    RefusalGround,
    Suit,
)
from credit_repair import services as repair
from credit_repair.models import Breach, Payment, RepairRecord, RepairStep
from credit_repair.selectors import case_ledger
from mediation import services as mediation
from mediation.models import ContactAttempt, MediationSession, Settlement, TriageResult
from notices.models import Kind as NoticeKind
from notices.models import Notice
from notices.services import notice_send

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
    # As the court documents state the creditor: registered address, legal representative, agent.
    particulars: tuple[tuple[str, str], ...] = ()


CREDITORS = {
    "quanzhou": [
        CreditorSpec(
            "demo-bank",
            "示范银行泉州分行",
            "XYK",
            (Product.CREDIT_CARD, Product.CREDIT_CARD, Product.CONSUMER_LOAN),
            "creditor1",
            (
                ("address", "泉州市丰泽区刺桐路100号"),
                ("legal_representative", "王建国"),
                ("legal_representative_title", "行长"),
                ("agent_name", "林晓芳"),
                ("agent_detail", "该行员工"),
            ),
        ),
        CreditorSpec(
            "demo-consumer-finance",
            "示范消费金融有限公司",
            "XFD",
            (Product.CONSUMER_LOAN, Product.MICROLOAN),
            "creditor2",
            (
                ("address", "泉州市鲤城区中山路200号"),
                ("legal_representative", "李明"),
                ("legal_representative_title", "总经理"),
                ("agent_name", "陈志远"),
                ("agent_detail", "该公司员工"),
            ),
        ),
    ],
    "longyan": [
        CreditorSpec(
            "demo-rural-bank",
            "龙岩示范农村商业银行",
            "NSH",
            (Product.CREDIT_CARD, Product.CONSUMER_LOAN, Product.MICROLOAN),
            "creditor3",
            (
                ("address", "龙岩市新罗区九一路88号"),
                ("legal_representative", "张华"),
                ("legal_representative_title", "董事长"),
                ("agent_name", "罗俊明"),
                ("agent_detail", "该行员工"),
            ),
        ),
    ],
}

# username, first name, organisation key (see Command._tenants), role
STAFF = [
    ("creditor1", "林晓芳", "demo-bank", Role.CREDITOR_STAFF),
    ("creditor2", "陈志远", "demo-consumer-finance", Role.CREDITOR_STAFF),
    ("mediator1", "黄秀琴", "qz-committee", Role.MEDIATOR),
    ("courtmediator1", "庄雅琴", "qz-court-committee", Role.MEDIATOR),
    ("judge1", "郑国平", "qz-court", Role.JUDGE),
    ("clerk1", "吴丽萍", "qz-court", Role.CLERK),
    ("centreadmin", "蔡建新", "quanzhou-centre", Role.CENTRE_ADMIN),
    ("judge2", "赖文华", "ly-court", Role.JUDGE),
    ("mediator2", "邱美玉", "ly-committee", Role.MEDIATOR),
    ("courtmediator2", "江志明", "ly-court-committee", Role.MEDIATOR),
    ("creditor3", "罗俊明", "demo-rural-bank", Role.CREDITOR_STAFF),
]

# --- what happens to a case on its way to its stage: milestones, each carried out by one phase ----------

TRIAGE = "triage"  # mediation.services.cases_triage by the centre's rules
MEDIATE = "mediate"  # people's mediation starts; the mediator logs a few contact attempts
ESCALATE = "escalate"  # mediation.services.cases_escalate, then a court-invited mediator takes it
SETTLE = "settle"  # draft, offer, the debtor's acceptance, the mediator's signature
REQUEST = "request"  # courts.services.confirmation_apply
CONFIRM = "confirm"
REFUSE = "refuse"  # refused on an Interp. 358 ground: back to mediation
REFUSE_TO_SUIT = "refuse_to_suit"  # refused, and the court turns the case into a suit
BEGIN = "begin"  # performance of the confirmed settlement begins
PERFORM_UNCONFIRMED = "perform_unconfirmed"
ORDER = "order"  # payment order applied for, accepted, issued and served before the window runs out
ORDER_OPEN = "order_open"  # payment order somewhere between application and service
ORDER_REJECTED = "order_rejected"
OBJECTION = "objection"  # a valid written objection to a served order
DECLINE = "decline"  # the creditor declines the suit within 7 days of the objection
SUIT = "suit"
JUDGMENT = "judgment"
BREACH = "breach"  # instalments missed, breach detected, enforcement requested
ENFORCE = "enforce"  # enforcement filed and measures taken
LIST = "list_dishonest"
SUSPEND = "suspend"  # 终本
COURT_COLLECTED = "court_collected"  # the court collected the whole amount
PAY_PART = "pay_part"
PAY_FULL = "pay_full"  # paid in full: performed, credit repair opens
PERFORMED_DIRECT = "performed_direct"  # the creditor records full performance, then its payments
LIST_REMOVED = "list_removed"  # the court removed the listing; the creditor's correction is pending
REPAIR_DONE = "repair_done"  # every repair step done: certificate, case closed
CLOSE_INVALID = "close_invalid"
WITHDRAW = "withdraw"

ESCALATE_REASONS = [
    "人民调解期间债务人未能提出可行的还款方案，转法院诉前调解",
    "债务人多次电话联系未接听，人民调解未果，转法院诉前调解",
    "债务人对利息和违约金计算有异议，需法院介入调解",
]
CONFIRM_REASONS = "调解协议系双方自愿达成，内容不违反法律规定，予以确认"
REFUSALS = [
    (RefusalGround.MANDATORY_LAW, "调解协议约定的违约金明显过高，超出法律保护的范围，不予确认，退回继续调解"),
    (RefusalGround.UNCLEAR, "调解协议对分期还款的期限和金额约定不明确，无法强制执行，不予确认"),
]
REFUSAL_TO_SUIT = (
    RefusalGround.NOT_VOLUNTARY,
    "债务人到庭陈述签署调解协议并非其真实意思表示，不予确认，转入诉讼",
)
BEGIN_REASON = "债务人开始按调解协议按期还款"
PERFORM_UNCONFIRMED_REASON = "债务人按调解协议开始自愿履行，双方未申请司法确认"
ORDER_REJECT_REASON = "申请人未能提交借款合同原件及完整的还款记录，支付令申请不予受理"
OBJECTIONS = [
    "债务人书面提出异议：对利息及违约金的计算方式有异议，并称已偿还部分本金，要求核实还款记录",
    "债务人书面提出异议：否认曾申领该信用卡，称身份证件曾遗失并被他人冒用，已向公安机关报案",
]
DECLINE_REASON = "债务人提出书面异议后，债权人决定暂不起诉，另行与债务人协商还款"
LIST_GROUNDS = "有履行能力而拒不履行生效法律文书确定的义务"
SUSPEND_REASON = "经网络查控及现场调查，被执行人名下无可供执行财产，终结本次执行程序"
COURT_COLLECTED_REASON = "执行款已全部到账，执行完毕"
PERFORMED_REASONS = ["债务人已按调解协议结清全部欠款", "债务人一次性结清全部欠款"]
CLOSE_INVALID_REASONS = [
    "债权人提交的借款合同签署人与债务人身份信息不符，诉请不成立",
    "诉讼时效已届满且无中止、中断事由",
]
WITHDRAW_REASONS = [
    "债务人已与债权人自行和解并结清",
    "债权人内部复核后决定撤回该案",
    "该笔债权已转让，债权人撤回",
]
ASSET_SEARCH_NOTES = [
    "通过网络执行查控系统查询被执行人名下存款、不动产、车辆、证券及网络资金",
    "向不动产登记中心、车管所及被执行人开户银行发出协助查询通知",
]
ASSET_SEARCH_NOTHING = "经网络查控及现场调查，未发现被执行人名下有可供执行的财产"
FREEZE_NOTE = "冻结被执行人名下银行账户存款"
DEDUCTION_NOTE = "扣划被执行人银行存款，执行款已到账"
CONSUMPTION_BAN_NOTE = "对被执行人发出限制消费令，限制其乘坐飞机、高铁一等座等高消费行为"
CORRECTION_NOTE = "已向人民银行征信中心报送更正，该笔欠款标注为已结清"
LIST_REMOVAL_NOTE = "已在失信被执行人名单库中删除该被执行人信息"
RESTRICTION_LIFT_NOTE = "已解除对被执行人的限制消费措施"

Outcome = ContactAttempt.Outcome
CONTACT_NOTES: dict[str, list[str]] = {
    Outcome.REACHED: [
        "已与债务人本人取得联系，告知调解政策及诉讼风险，债务人表示愿意协商还款",
        "债务人确认欠款事实，称近期收入减少，希望分期偿还",
        "债务人同意到调解室面谈，核对欠款明细",
    ],
    Outcome.PROMISED: [
        "债务人承诺本周内筹措资金并回电确认还款方案",
        "债务人同意减免部分利息后分期还款，待起草调解协议",
        "债务人表示可一次性偿还本金，请求减免利息和费用",
    ],
    Outcome.NO_ANSWER: ["电话无人接听，已发送短信提醒回电", "连续两次拨打未接通", "响铃后被挂断"],
    Outcome.REFUSED: ["债务人明确拒绝调解，称将自行与银行协商", "债务人拒绝沟通还款事宜，要求直接走法律程序"],
    Outcome.WRONG_NUMBER: ["接听人称不认识债务人，号码已易主"],
    Outcome.UNREACHABLE: ["拨打提示号码已停机，需债权人核实新的联系方式"],
}
UNREACHABLE_REASONS = ["号码已停机", "空号"]
SESSION_PLACES = {
    "quanzhou": "泉州信用修复中心第二调解室（丰泽区刺桐路）",
    "longyan": "龙岩普惠金融司法协同中心调解室（新罗区九一路）",
}


def _paths() -> dict[str, list[list[str]]]:
    """Alternative milestone lists per target stage; the cases of a stage take them in turn."""
    mediation_ = [TRIAGE, MEDIATE]
    court = [*mediation_, ESCALATE]
    settled = [*mediation_, SETTLE]
    settled_in_court = [*court, SETTLE]
    confirmed = [*settled, REQUEST, CONFIRM]
    performing = [*confirmed, BEGIN]
    served = [*court, ORDER]
    judged = [*court, SUIT, JUDGMENT]
    enforced_order = [*served, ENFORCE]
    enforced_judgment = [*judged, ENFORCE]
    return {
        Stage.RECEIVED: [[]],
        Stage.TRIAGED: [[TRIAGE]],
        Stage.IN_MEDIATION: [mediation_],
        Stage.COURT_MEDIATION: [
            court,
            court,
            [*settled_in_court, REQUEST, REFUSE],
            court,
            court,
            [*court, ORDER_REJECTED],
        ],
        Stage.SETTLED: [settled, settled_in_court],
        Stage.CONFIRMATION_REQUESTED: [[*settled, REQUEST], [*settled_in_court, REQUEST]],
        Stage.CONFIRMED: [confirmed],
        Stage.PERFORMING: [
            [*performing, PAY_PART],
            [*performing, PAY_PART],
            [*settled, PERFORM_UNCONFIRMED, PAY_PART],
        ],
        Stage.PAYMENT_ORDER: [[*court, ORDER_OPEN]],
        Stage.IN_LITIGATION: [
            [*court, SUIT],
            [*served, OBJECTION],
            [*settled_in_court, REQUEST, REFUSE_TO_SUIT],
        ],
        Stage.ENFORCEABLE: [served, judged],
        Stage.IN_ENFORCEMENT: [enforced_order, enforced_judgment, [*performing, BREACH, ENFORCE]],
        Stage.ENFORCEMENT_SUSPENDED: [[*enforced_order, SUSPEND], [*enforced_judgment, SUSPEND]],
        Stage.PERFORMED: [
            [*performing, PERFORMED_DIRECT],
            [*mediation_, PERFORMED_DIRECT],
            [*enforced_order, COURT_COLLECTED],
        ],
        Stage.CREDIT_REPAIR: [[*performing, PAY_FULL], [*enforced_judgment, LIST, PAY_FULL, LIST_REMOVED]],
        Stage.CLOSED: [
            [*performing, PAY_FULL, REPAIR_DONE],
            [TRIAGE, CLOSE_INVALID],
            [*enforced_judgment, LIST, PAY_FULL, REPAIR_DONE],
        ],
        Stage.WITHDRAWN: [
            [WITHDRAW],
            [*mediation_, WITHDRAW],
            [*court, WITHDRAW],
            [*served, OBJECTION, DECLINE],
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

# The demo's cases arrived up to a year before the seeding, those further down the funnel earlier.
DEMO_YEAR_DAYS = 360
AGE_DAYS_PER_STEP = 15
ENDED_DEMO_STAGES = {Stage.PERFORMED, Stage.CREDIT_REPAIR, Stage.CLOSED, Stage.WITHDRAWN}

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
# The sweep that lets the payment-order windows run out may end these limits, and no others.
SWEPT_DEADLINES = {Deadline.Kind.PAYMENT_ORDER_OBJECTION, Deadline.Kind.SUIT_DECLINE}


@dataclass
class CasePlan:
    creditor: CreditorSpec
    target: str
    steps: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    case_id: int = 0
    age_days: int = 0  # how long before the seeding the case arrived (DemoSeeder.ages)

    @property
    def centre(self) -> str:
        return "quanzhou" if self.creditor in CREDITORS["quanzhou"] else "longyan"


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


def plan_centre(rng: random.Random, spec: CentreSpec, stages: dict[str, int]) -> list[CasePlan]:
    people = DemoPeople(rng, spec)
    creditors = CREDITORS[spec.code]
    targets = [stage for stage, count in stages.items() for _ in range(count)]
    rng.shuffle(targets)
    paths = _paths()
    taken: Counter[str] = Counter()
    plans: list[CasePlan] = []
    for seq, target in enumerate(targets, start=1):
        creditor = creditors[seq % len(creditors)]
        variants = paths[target]
        steps = list(variants[taken[target] % len(variants)])
        taken[target] += 1
        values = _claim(rng, creditor, seq) | people.person()
        plans.append(CasePlan(creditor, target, steps, values))
    # A few debtors owe both quanzhou creditors: the same person, linked by the keyed ID hash.
    if len(creditors) > 1:
        pool = iter(plans)
        for plan in plans[-8:]:
            other = next(p for p in pool if p.creditor != plan.creditor)
            for key in ("debtor_name", "id_number", "phone", "address"):
                plan.values[key] = other.values[key]
    # One person with four debts at the centre: the default triage rules flag the group risk (red).
    for plan in plans[-12:-9]:
        for key in ("debtor_name", "id_number", "phone", "address"):
            plan.values[key] = plans[-13].values[key]
    for plan in plans:
        if plan.values["e_service_consent"] and rng.random() < 0.5:
            plan.values["email"] = f"debtor{rng.randrange(10**6):06d}@example.cn"
    return plans


@contextmanager
def _sqlite_without_fsync() -> Iterator[None]:
    """On SQLite, skip fsync while seeding: the stage notifications and notices run after the commit and
    each commits on its own (7 ms apiece on a plain disk). A crash loses only demo data; rerun the command."""
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


@dataclass
class CentreStaff:
    centre: Centre
    court: Organisation
    mediator: User  # the people's mediation committee's (the court's invited mediator is found on the case)
    judge: User
    clerk: User  # longyan has no clerk: its judge does the clerk's work


def _yuan(amount: Decimal) -> str:
    return f"人民币{amount:,.2f}元"


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


class DemoSeeder:
    """Carries every planned case through the services, phase after phase, in the funnel's order."""

    def __init__(self, rng: random.Random, plans: list[CasePlan], staff: dict[str, CentreStaff]) -> None:
        self.rng, self.plans, self.staff = rng, plans, staff
        self.today = timezone.localdate()
        self.users = {u.pk: u for u in get_user_model().objects.select_related("membership__organisation")}
        self.creditor_users = {
            spec.code: self.users_by_name(spec.login) for specs in CREDITORS.values() for spec in specs
        }
        self.payment_refs: Counter[str] = Counter()

    def users_by_name(self, username: str) -> User:
        return next(u for u in self.users.values() if u.username == username)

    # --- helpers ------------------------------------------------------------------------------------

    def having(self, step: str, centre: str | None = None) -> list[CasePlan]:
        return [p for p in self.plans if step in p.steps and (centre is None or p.centre == centre)]

    def case(self, plan: CasePlan) -> Case:
        """A fresh copy: the services update rows in place, so an object held since the last step is stale."""
        return Case.objects.select_related("centre", "court", "creditor").get(pk=plan.case_id)

    def creditor(self, plan: CasePlan) -> User:
        return self.creditor_users[plan.creditor.code]

    def mediator(self, case: Case) -> User:
        if case.mediator_id is None:
            raise CommandError(f"case {case.code} has no mediator")
        return self.users[case.mediator_id]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, clock(hour, minute)))

    @staticmethod
    def all_done(result: BulkResult, what: str) -> None:
        if result.skipped:
            raise CommandError(f"{what}: {len(result.skipped)} cases refused: {result.skipped}")

    def pay(self, plan: CasePlan, amount: Decimal, paid_on: date | None = None) -> None:
        self.payment_refs[plan.creditor.code] += 1
        reference = (
            f"{plan.creditor.ref_prefix}HK{self.today:%Y%m%d}{self.payment_refs[plan.creditor.code]:05d}"
        )
        repair.payment_record(
            case=self.case(plan),
            paid_on=paid_on or self.today,
            amount=_fen(amount),
            reference=reference,
            actor=self.creditor(plan),
            source=self.rng.choice([Payment.Source.PORTAL, Payment.Source.API]),
        )

    def balance(self, plan: CasePlan) -> Decimal:
        return case_ledger(case=self.case(plan)).balance

    def run(self) -> None:
        self.ages()
        self.create()
        self.triage()
        self.close_invalid()
        self.mediate()
        self.escalate()
        self.sessions()
        self.settle()
        self.confirmations()
        self.performance()
        self.payment_orders_served()
        self.windows_run_out()
        self.suits()
        self.payment_orders_open()
        self.breaches()
        self.enforcement()
        self.payments()
        self.repairs()
        self.withdrawals()
        self.notices()
        self.holds()
        self.spread_over_the_past_year()

    # --- phases -------------------------------------------------------------------------------------

    def ages(self) -> None:
        """Cases further down the funnel arrived earlier: up to a year before the seeding."""
        rng = random.Random(SEED + 1)  # its own generator: the histories drawn from self.rng stay the same
        for plan in self.plans:
            plan.age_days = min(DEMO_YEAR_DAYS, 3 + AGE_DAYS_PER_STEP * len(plan.steps) + rng.randint(0, 200))

    def batches(self, orgs: dict[str, Organisation]) -> dict[tuple[str, str], Batch]:
        """One import per creditor and month: the closure chart compares them."""
        months: dict[tuple[str, str], list[CasePlan]] = defaultdict(list)
        for plan in self.plans:
            months[(plan.creditor.code, f"{self.today - timedelta(days=plan.age_days):%Y-%m}")].append(plan)
        created = {}
        for (code, month), plans in sorted(months.items()):
            creditor = orgs[code]
            created[(code, month)] = Batch.objects.create(
                centre_id=creditor.centre_id,
                creditor=creditor,
                created_by=self.creditor_users[code],
                filename=f"{plans[0].creditor.ref_prefix}-{month}.xlsx",
                status=Batch.Status.DONE,
                rows_read=len(plans),
                accepted=len(plans),
                progress_percent=100,
            )
        return created

    def create(self) -> None:
        orgs = {o.code: o for o in Organisation.objects.filter(kind=Organisation.Kind.CREDITOR)}
        batches = self.batches(orgs)
        for plan in self.plans:
            month = f"{self.today - timedelta(days=plan.age_days):%Y-%m}"
            case = services.case_create(
                creditor=orgs[plan.creditor.code],
                actor=self.creditor(plan),
                batch=batches[(plan.creditor.code, month)],
                **plan.values,
            )
            services.case_route(case=case, court=self.staff[plan.centre].court)
            plan.case_id = case.pk

    def triage(self) -> None:
        """The centre's rules give colour, track and reasons; then each committee's mediators get theirs."""
        for code, staff in self.staff.items():
            mediation.triage_ruleset_ensure_default(staff.centre)
            ids = [p.case_id for p in self.having(TRIAGE, code)]
            self.all_done(mediation.cases_triage(case_ids=ids, centre=staff.centre), "triage")
            mediation.cases_assign_auto(centre=staff.centre)

    def close_invalid(self) -> None:
        for plan in self.having(CLOSE_INVALID):
            services.case_transition(
                case=self.case(plan),
                transition="close_invalid",
                actor=self.staff[plan.centre].judge,
                reason=self.rng.choice(CLOSE_INVALID_REASONS),
            )

    def mediate(self) -> None:
        for code, staff in self.staff.items():
            ids = [p.case_id for p in self.having(MEDIATE, code)]
            result = services.cases_bulk_transition(
                case_ids=ids,
                transition="start_mediation",
                actor=staff.mediator,
                visible=cases_visible_to(staff.mediator),
            )
            self.all_done(result, "start_mediation")
        for plan in self.having(MEDIATE):
            self.contacts(plan)

    def contacts(self, plan: CasePlan) -> None:
        """A few attempts on past days, in daytime: failures before escalation, agreement before settling."""
        rng = self.rng
        if ESCALATE in plan.steps:
            outcomes = [
                Outcome.NO_ANSWER,
                rng.choice([Outcome.NO_ANSWER, Outcome.REFUSED, Outcome.WRONG_NUMBER, Outcome.UNREACHABLE]),
            ]
        elif SETTLE in plan.steps or PERFORMED_DIRECT in plan.steps:
            outcomes = [rng.choice([Outcome.NO_ANSWER, Outcome.REACHED]), Outcome.REACHED, Outcome.PROMISED][
                rng.randint(0, 1) :
            ]
        elif WITHDRAW in plan.steps:
            outcomes = [Outcome.REACHED]
        else:
            outcomes = rng.sample(
                [Outcome.NO_ANSWER, Outcome.REACHED, Outcome.PROMISED, Outcome.NO_ANSWER, Outcome.REFUSED],
                rng.randint(1, 3),
            )
        case = self.case(plan)
        mediator = self.mediator(case)
        days_ago = rng.randint(8, 25)
        for i, outcome in enumerate(outcomes):
            last = i == len(outcomes) - 1
            channel = ContactAttempt.Channel.PHONE
            if outcome in (Outcome.REACHED, Outcome.PROMISED, Outcome.REFUSED):
                channel = rng.choice(
                    [channel, channel, ContactAttempt.Channel.WECHAT, ContactAttempt.Channel.VIDEO]
                )
            next_on = None
            if last and plan.target == Stage.IN_MEDIATION and outcome != Outcome.REFUSED:
                next_on = self.today + timedelta(days=rng.randint(1, 10))
            mediation.contact_log(
                case=case,
                actor=mediator,
                channel=channel,
                at=self.at(
                    self.today - timedelta(days=days_ago), rng.randint(9, 19), rng.choice([0, 15, 30, 45])
                ),
                outcome=outcome,
                notes=rng.choice(CONTACT_NOTES[outcome]),
                unreachable_reason=rng.choice(UNREACHABLE_REASONS) if outcome == Outcome.UNREACHABLE else "",
                next_contact_on=next_on,
            )
            days_ago = max(1, days_ago - rng.randint(2, 6))

    def escalate(self) -> None:
        """People's mediation failed: on to court mediation, where the court's invited mediator takes over."""
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for plan in self.having(ESCALATE):
            groups[(plan.centre, self.rng.choice(ESCALATE_REASONS))].append(plan.case_id)
        for (code, reason), ids in sorted(groups.items()):
            mediator = self.staff[code].mediator
            result = mediation.cases_escalate(
                case_ids=ids, actor=mediator, reason=reason, visible=cases_visible_to(mediator)
            )
            self.all_done(result, "escalate")

    def sessions(self) -> None:
        """About half the cases still in mediation have a session booked in the coming two weeks."""
        rng = self.rng
        for plan in self.plans:
            if plan.target not in (Stage.IN_MEDIATION, Stage.COURT_MEDIATION) or rng.random() < 0.5:
                continue
            case = self.case(plan)
            kind = rng.choice(list(MediationSession.Kind))
            day = self.today + timedelta(days=rng.randint(1, 14))
            mediation.session_schedule(
                case=case,
                actor=self.mediator(case),
                kind=kind,
                scheduled_at=self.at(day, rng.choice([9, 10, 14, 15, 16]), rng.choice([0, 30])),
                location=SESSION_PLACES[plan.centre] if kind == MediationSession.Kind.ON_SITE else "",
                meeting_link=f"https://meeting.example.cn/r/{case.code}"
                if kind == MediationSession.Kind.VIDEO
                else "",
            )

    def settle(self) -> None:
        """Lump sum or instalments, interest partly and fees wholly waived; signed by both, so effective."""
        rng = self.rng
        for plan in self.having(SETTLE):
            case = self.case(plan)
            mediator = self.mediator(case)
            kept = _fen(case.interest * Decimal(rng.choice(["0.3", "0.5", "0.7", "1"])))
            total = case.principal + kept
            waived_interest, waived_fees = case.interest - kept, case.fees
            waived = [f"其余利息{_yuan(waived_interest)}"] if waived_interest else []
            waived += [f"全部费用{_yuan(waived_fees)}"] if waived_fees else []
            waiver = f"债权人免除{'及'.join(waived)}。" if waived else ""
            paying = {PAY_PART, PAY_FULL, PERFORMED_DIRECT} & set(plan.steps)
            if BREACH in plan.steps:  # a plan that began three months ago, so that instalments fall due
                kind, count, first_due = Settlement.Kind.INSTALMENTS, 6, add_months(self.today, -3)
            elif rng.random() < 0.35:
                kind, count = Settlement.Kind.LUMP_SUM, 1
                first_due = self.today + timedelta(days=rng.choice([7, 15, 30]))
            else:
                kind, count = Settlement.Kind.INSTALMENTS, rng.choice([3, 6, 12])
                first_due = self.today if paying else add_months(self.today, 1)
            if kind == Settlement.Kind.LUMP_SUM:
                terms = f"债务人于{_day(first_due)}前一次性向债权人支付{_yuan(total)}；{waiver}"
            else:
                terms = (
                    f"债务人自{_day(first_due)}起分{count}期偿还{_yuan(total)}，每月{first_due.day}日前支付；"
                    f"{waiver}任何一期逾期超过15日未付的，债权人有权就全部未付款项申请强制执行。"
                )
            settlement = mediation.settlement_draft(
                case=case,
                actor=mediator,
                kind=kind,
                total=total,
                waived_interest=waived_interest,
                waived_fees=waived_fees,
                first_due=first_due,
                count=count,
                terms=terms,
            )
            settlement = mediation.settlement_offer(settlement=settlement, actor=mediator)
            # PML 29¶2: the debtor and the creditor sign (each also applying for confirmation, CPL 205), then
            # the mediator signs with the committee's seal: the agreement takes effect that day.
            settlement = mediation.settlement_debtor_accept(
                settlement=settlement,
                ip=f"203.0.113.{rng.randint(1, 254)}",  # documentation range: no real address in demo data
                document_sha256=settlement.document_sha256,
                apply_for_confirmation=True,
            )
            settlement = mediation.settlement_creditor_sign(
                settlement=settlement,
                actor=self.creditor_users[plan.creditor.code],
                document_sha256=settlement.document_sha256,
                apply_for_confirmation=True,
            )
            mediation.settlement_mediator_sign(settlement=settlement, actor=mediator, seal=True)

    def confirmations(self) -> None:
        """Joint application through the mediator; the judge confirms most and refuses a few on a ground."""
        refusals = cycle(REFUSALS)
        for plan in self.having(REQUEST):
            case = self.case(plan)
            courts.confirmation_apply(case=case, actor=self.mediator(case))
            judge = self.staff[plan.centre].judge
            if CONFIRM in plan.steps:
                courts.confirmation_decide(
                    case=self.case(plan), actor=judge, confirmed=True, reasons=CONFIRM_REASONS
                )
            elif REFUSE in plan.steps or REFUSE_TO_SUIT in plan.steps:
                ground, reasons = next(refusals) if REFUSE in plan.steps else REFUSAL_TO_SUIT
                courts.confirmation_decide(
                    case=self.case(plan),
                    actor=judge,
                    confirmed=False,
                    ground=ground,
                    reasons=reasons,
                    next_step="suit" if REFUSE_TO_SUIT in plan.steps else "mediation",
                )

    def performance(self) -> None:
        for plan in self.having(BEGIN):
            settlement = Settlement.objects.get(case_id=plan.case_id, status=Settlement.Status.EFFECTIVE)
            last_due = settlement.instalments.order_by("-seq").values_list("due_on", flat=True).first()
            services.case_transition(
                case=self.case(plan),
                transition="begin_performance",
                actor=self.creditor(plan),
                reason=BEGIN_REASON,
                performance_due_on=last_due,
            )
        for plan in self.having(PERFORM_UNCONFIRMED):
            services.case_transition(
                case=self.case(plan),
                transition="perform_without_confirmation",
                actor=self.creditor(plan),
                reason=PERFORM_UNCONFIRMED_REASON,
            )

    def order_served(self, plan: CasePlan) -> PaymentOrder:
        clerk = self.staff[plan.centre].clerk
        order = courts.payment_order_apply(case=self.case(plan), actor=self.creditor(plan))
        order = courts.payment_order_accept(order=order, actor=clerk)
        order = courts.payment_order_issue(order=order, actor=clerk)
        return courts.payment_order_record_service(order=order, actor=clerk, served_on=self.today)

    def payment_orders_served(self) -> None:
        """Orders served now; a valid written objection on a few, and one creditor declines the suit."""
        objections = cycle(OBJECTIONS)
        for plan in self.having(ORDER):
            order = self.order_served(plan)
            if OBJECTION in plan.steps:
                courts.payment_order_object(
                    order=order,
                    form=PaymentOrderObjection.Form.WRITTEN,
                    filed_on=self.today,
                    statement=next(objections),
                    actor=self.staff[plan.centre].clerk,
                )
                # CPL 228; Interp. 438: the creditor's 7 days run from receiving the termination ruling.
                courts.payment_order_termination_ruling_received(
                    order=order, actor=self.staff[plan.centre].clerk, received_on=self.today
                )
            if DECLINE in plan.steps:
                courts.payment_order_decline_suit(
                    case=self.case(plan), actor=self.creditor(plan), reason=DECLINE_REASON
                )

    def windows_run_out(self) -> None:
        """Demo time passes: the periodic deadline service runs as on the day after the last objection or
        decline window closes, so unopposed orders take effect (CPL 227) and opposed ones become suits
        (Interp. 438-439). Only those windows can be open and that short at this point of the seed."""
        swept = Deadline.objects.filter(status=Deadline.Status.OPEN, kind__in=SWEPT_DEADLINES)
        last = max(swept.values_list("due_on", flat=True), default=None)
        if last is None:
            return
        day = last + timedelta(days=1)
        others = Deadline.objects.filter(status=Deadline.Status.OPEN, due_on__lt=day).exclude(
            kind__in=SWEPT_DEADLINES
        )
        if others.exists():
            raise CommandError(
                f"the demo sweep would also end {sorted(set(others.values_list('kind', flat=True)))}"
            )
        services.deadlines_act_on_due(today=day)

    def suits(self) -> None:
        rng = self.rng
        for plan in self.having(SUIT):
            courts.suit_file(case=self.case(plan), actor=self.creditor(plan))
        for plan in self.plans:
            staff = self.staff[plan.centre]
            suit = Suit.objects.filter(case_id=plan.case_id).order_by("-pk").first()
            if suit is None:
                continue
            if JUDGMENT in plan.steps:
                case = self.case(plan)
                courts.suit_schedule_hearing(
                    suit=suit, actor=staff.clerk, hearing_at=self.at(self.today, 9, 30)
                )
                # The court awards principal and interest; fees claimed on top are not supported.
                amount = case.principal + case.interest if case.fees else case.claimed_total
                courts.suit_record_judgment(suit=suit, actor=staff.judge, amount=amount)
            elif plan.target == Stage.IN_LITIGATION:
                day = self.today + timedelta(days=rng.randint(10, 40))
                courts.suit_schedule_hearing(
                    suit=suit, actor=staff.clerk, hearing_at=self.at(day, rng.choice([9, 14]), 30)
                )

    def payment_orders_open(self) -> None:
        """Orders at every step before service (after the sweep, so that their limits stay open)."""
        rng = self.rng
        for plan in self.having(ORDER_OPEN) + self.having(ORDER_REJECTED):
            staff = self.staff[plan.centre]
            order = courts.payment_order_apply(case=self.case(plan), actor=self.creditor(plan))
            if ORDER_REJECTED in plan.steps:
                courts.payment_order_reject(order=order, actor=staff.judge, reason=ORDER_REJECT_REASON)
                continue
            steps = rng.randint(0, 3)
            if steps >= 1:
                order = courts.payment_order_accept(order=order, actor=staff.clerk)
            if steps >= 2:
                order = courts.payment_order_issue(order=order, actor=staff.clerk)
            if steps >= 3:
                courts.payment_order_record_service(order=order, actor=staff.clerk, served_on=self.today)

    def breaches(self) -> None:
        """Two instalments paid on time, the third missed: the breach is found, the debtor reminded, and the
        creditor asks the court to enforce the confirmed settlement."""
        plans = self.having(BREACH)
        if not plans:
            return
        for plan in plans:
            settlement = Settlement.objects.get(case_id=plan.case_id, status=Settlement.Status.EFFECTIVE)
            for instalment in settlement.instalments.order_by("seq")[:2]:
                self.pay(plan, instalment.amount, paid_on=instalment.due_on)
        repair.breaches_detect(today=self.today)
        for plan in plans:
            repair.breach_request_enforcement(case=self.case(plan), actor=self.creditor(plan))

    def enforcement(self) -> None:
        for plan in self.having(ENFORCE):
            case = self.case(plan)
            if case.stage != Stage.IN_ENFORCEMENT:
                courts.enforcement_apply(case=case, actor=self.creditor(plan))
            self.enforce(plan, Enforcement.objects.filter(case_id=plan.case_id).latest("pk"))

    def enforce(self, plan: CasePlan, enforcement: Enforcement) -> None:
        """An asset search always; then freezes, listing, restrictions and deductions, or the round ends."""
        rng, staff, kinds = self.rng, self.staff[plan.centre], EnforcementMeasure.Kind

        def measure(kind: str, note: str, received: Decimal = Decimal("0")) -> None:
            courts.enforcement_measure_log(
                enforcement=enforcement, actor=staff.clerk, kind=kind, note=note, amount_received=received
            )

        if SUSPEND in plan.steps:
            measure(kinds.ASSET_SEARCH, ASSET_SEARCH_NOTHING)
            # Demo back-dating: Interp. 517 ends a round only more than 3 months after filing, and the demo
            # files everything today; this one record's filing date moves back four months.
            Enforcement.objects.filter(pk=enforcement.pk).update(applied_on=add_months(self.today, -4))
            enforcement.refresh_from_db()
            courts.enforcement_suspend(enforcement=enforcement, actor=staff.judge, reason=SUSPEND_REASON)
            return
        measure(kinds.ASSET_SEARCH, rng.choice(ASSET_SEARCH_NOTES))
        if COURT_COLLECTED in plan.steps:
            measure(kinds.DEDUCTION, DEDUCTION_NOTE, enforcement.amount)
            services.case_transition(
                case=self.case(plan),
                transition="record_full_performance",
                actor=staff.clerk,
                reason=COURT_COLLECTED_REASON,
            )
            return
        if rng.random() < 0.5:
            measure(kinds.FREEZE, FREEZE_NOTE)
        if LIST in plan.steps or rng.random() < 0.3:
            courts.enforcement_list_dishonest(
                enforcement=enforcement, actor=staff.judge, grounds=LIST_GROUNDS
            )
        if rng.random() < 0.4:
            measure(kinds.CONSUMPTION_BAN, CONSUMPTION_BAN_NOTE)
        if plan.target == Stage.IN_ENFORCEMENT and rng.random() < 0.4:
            part = _fen(enforcement.amount * Decimal(rng.choice(["0.1", "0.2", "0.3"])))
            measure(kinds.DEDUCTION, DEDUCTION_NOTE, part)
            self.pay(plan, part)  # the court passes the money on; the creditor reports it

    def payments(self) -> None:
        """Part payments on performing cases; payment in full for the performed and repaired ones."""
        rng = self.rng
        for plan in self.having(PAY_PART):
            settlement = Settlement.objects.get(case_id=plan.case_id, status=Settlement.Status.EFFECTIVE)
            instalments = list(settlement.instalments.order_by("seq"))
            if settlement.kind == Settlement.Kind.LUMP_SUM:
                self.pay(plan, settlement.total * Decimal(rng.choice(["0.2", "0.3", "0.5"])))
            else:
                for instalment in instalments[: rng.choice([1, 1, 2])]:
                    self.pay(plan, instalment.amount)
        for plan in self.having(PAY_FULL):
            balance = self.balance(plan)
            first = _fen(balance * Decimal(rng.choice(["0.3", "0.5"])))
            self.pay(plan, first)
            self.pay(plan, balance - first)
        for plan in self.having(PERFORMED_DIRECT):
            services.case_transition(
                case=self.case(plan),
                transition="record_full_performance",
                actor=self.creditor(plan),
                reason=rng.choice(PERFORMED_REASONS),
            )
        for plan in self.having(PERFORMED_DIRECT) + self.having(COURT_COLLECTED):
            self.pay(plan, self.balance(plan))  # the creditor's payment file follows its word

    def repairs(self) -> None:
        """The court removes the listing and lifts restrictions; the creditor corrects the credit report,
        and the last step done brings the certificate and the case's closing."""
        counter = 0
        for plan in self.having(LIST_REMOVED) + self.having(REPAIR_DONE):
            staff = self.staff[plan.centre]
            pending = list(
                RepairStep.objects.filter(case_id=plan.case_id, status=RepairStep.Status.PENDING)
                .exclude(kind=RepairStep.Kind.CERTIFICATE)
                .values_list("kind", flat=True)
            )
            court_steps = {
                RepairStep.Kind.LIST_REMOVAL: LIST_REMOVAL_NOTE,
                RepairStep.Kind.RESTRICTION_LIFT: RESTRICTION_LIFT_NOTE,
            }
            for kind, note in court_steps.items():
                if kind in pending:
                    repair.repair_step_complete(case=self.case(plan), kind=kind, actor=staff.clerk, note=note)
            if REPAIR_DONE in plan.steps and RepairStep.Kind.CREDIT_REPORT_CORRECTION in pending:
                counter += 1
                repair.repair_step_complete(
                    case=self.case(plan),
                    kind=RepairStep.Kind.CREDIT_REPORT_CORRECTION,
                    actor=self.creditor(plan),
                    reference=f"ZXGZ{self.today:%Y%m%d}{counter:04d}",
                    note=CORRECTION_NOTE,
                )

    def withdrawals(self) -> None:
        for plan in self.having(WITHDRAW):
            services.case_transition(
                case=self.case(plan),
                transition="withdraw",
                actor=self.creditor(plan),
                reason=self.rng.choice(WITHDRAW_REASONS),
            )

    def notices(self) -> None:
        """A handful of letters, so that the delivery report has rows (each PDF costs some 60 ms)."""
        for code, notices, letters in (("quanzhou", 3, 2), ("longyan", 1, 1)):
            in_mediation = [p for p in self.plans if p.centre == code and p.target == Stage.IN_MEDIATION]
            for plan in in_mediation[:notices]:
                case = self.case(plan)
                notice_send(case=case, kind=NoticeKind.MEDIATION_NOTICE, actor=self.mediator(case))
            court = [p for p in self.plans if p.centre == code and p.target == Stage.COURT_MEDIATION]
            for plan in court[:letters]:
                notice_send(case=self.case(plan), kind=NoticeKind.LITIGATION_RISK, actor=self.creditor(plan))

    def holds(self) -> None:
        rng = self.rng
        holdable = [p for p in self.plans if p.target in HOLD_STAGES]
        rng.shuffle(holdable)
        for plan, (kind, reason, lift_reason) in zip(holdable, HOLDS * 2, strict=False):
            case = self.case(plan)
            staff = self.staff[plan.centre]
            actor = self.mediator(case) if case.stage in PRE_COURT_STAGES else staff.judge
            hold = services.hold_place(case=case, kind=kind, actor=actor, reason=reason)
            if lift_reason:
                services.hold_lift(hold=hold, actor=actor, reason=lift_reason)

    def spread_over_the_past_year(self) -> None:
        """Each case's events move from the day it arrived towards today, evenly; an ended case ended
        within five months of arriving. Its import batch dates from its first case, payments made today
        from the case's last event. Deadlines stay as the services computed them."""
        rng = random.Random(SEED + 2)
        now = timezone.now()
        counts = dict(
            CaseEvent.objects.filter(case_id__in=[p.case_id for p in self.plans])
            .order_by()
            .values_list("case_id")
            .annotate(n=Count("pk"))
        )
        times: dict[int, list[datetime]] = {}
        for plan in self.plans:
            arrived = self.at(
                self.today - timedelta(days=plan.age_days), rng.randint(9, 16), rng.randint(0, 59)
            )
            if plan.age_days == 0 or arrived >= now:
                continue
            age = (now - arrived).days
            if plan.target in ENDED_DEMO_STAGES:
                span = timedelta(days=rng.randint(min(age, 10), max(min(age, 150), 10)))
            else:
                span = now - arrived - timedelta(days=rng.randint(0, min(7, age)), hours=1)
            n = counts.get(plan.case_id, 1)
            times[plan.case_id] = [
                min(arrived + span * k / max(n - 1, 1) + timedelta(seconds=k), now) for k in range(n)
            ]
        services.cases_history_restamp(times=times)
        for batch_id, first in (
            Case.objects.filter(pk__in=list(times), batch__isnull=False)
            .order_by()
            .values_list("batch_id")
            .annotate(first=Min("created_at"))
        ):
            Batch.objects.filter(pk=batch_id).update(created_at=first, started_at=first, finished_at=first)
        for case_id, stamps in times.items():
            Payment.objects.filter(case_id=case_id, paid_on=self.today).update(
                paid_on=timezone.localdate(stamps[-1])
            )


def tenants_create() -> dict[str, CentreStaff]:
    """The two centres, their creditors, committees and courts, and the staff logins."""
    centres: dict[str, Centre] = {
        spec.code: centre_create(code=spec.code, name=spec.name, region_code=spec.region)
        for spec in (QUANZHOU, LONGYAN)
    }
    qz, ly = centres["quanzhou"], centres["longyan"]
    K = Organisation.Kind  # noqa: N806
    orgs = {
        spec.code: organisation_create(
            centre=centres[centre],
            kind=K.CREDITOR,
            code=spec.code,
            name=spec.name,
            region_code=centres[centre].region_code,
            **dict(spec.particulars),
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
        phone="0595-22581234",
        hours="周一至周五 8:30-12:00, 14:30-17:30",
    )
    orgs["ly-committee"] = organisation_create(
        centre=ly,
        kind=K.COMMITTEE,
        code="ly-committee",
        name="龙岩市新罗区人民调解委员会",
        region_code="350802",
        phone="0597-22361234",
        hours="周一至周五 8:00-12:00, 15:00-18:00",
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
    # The courts' invited mediators (特邀调解) take the court-mediation stage.
    orgs["qz-court-committee"] = organisation_create(
        centre=qz,
        kind=K.COMMITTEE,
        code="qz-court-committee",
        name="泉州市鲤城区人民法院特邀调解委员会",
        region_code="350502",
        invited_by_court=orgs["qz-court"],
        phone="0595-22587766",
        hours="周一至周五 8:30-12:00, 14:30-17:30",
    )
    orgs["ly-court-committee"] = organisation_create(
        centre=ly,
        kind=K.COMMITTEE,
        code="ly-court-committee",
        name="龙岩市新罗区人民法院特邀调解委员会",
        region_code="350802",
        invited_by_court=orgs["ly-court"],
        phone="0597-22367766",
        hours="周一至周五 8:00-12:00, 15:00-18:00",
    )
    orgs["quanzhou-centre"] = centre_staff_organisation(qz)
    # The centres' own line: what a debtor is told to call while no mediator has the case.
    for centre, phone in ((qz, "0595-22580000"), (ly, "0597-22360000")):
        Organisation.objects.filter(pk=centre_staff_organisation(centre).pk).update(
            phone=phone, hours="周一至周五 8:30-17:30"
        )
    # One PBKDF2 hash for the logins that share the demo password: saves seconds on every fresh seed.
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
    return {
        "quanzhou": CentreStaff(
            qz,
            orgs["qz-court"],
            users["mediator1"],
            users["judge1"],
            users["clerk1"],
        ),
        "longyan": CentreStaff(
            ly,
            orgs["ly-court"],
            users["mediator2"],
            users["judge2"],
            users["judge2"],
        ),
    }


@dataclass(frozen=True)
class DemoSeeded:
    seconds: float  # the whole run
    after_commit: float  # of it, the notifications, court documents and notices run once the data commits


def demo_plans() -> tuple[random.Random, list[CasePlan]]:
    """The planned cases of both centres, and the generator the seeding goes on drawing from."""
    rng = random.Random(SEED)
    return rng, plan_centre(rng, QUANZHOU, QUANZHOU_STAGES) + plan_centre(rng, LONGYAN, LONGYAN_STAGES)


def demo_present(plans: list[CasePlan]) -> bool:
    refs = [p.values["external_ref"] for p in plans]
    return Case.objects.filter(
        creditor__code__in=[c.code for cs in CREDITORS.values() for c in cs], external_ref__in=refs
    ).exists()


def demo_seed() -> DemoSeeded | None:
    """Seed the demo once: None when its contract numbers already exist (nothing is changed)."""
    started = time.monotonic()
    rng, plans = demo_plans()
    if demo_present(plans):
        return None
    # One transaction: the stage notifications, court documents and notices run once it commits
    # (in-process without REDIS_URL, else in the Celery worker).
    with _sqlite_without_fsync(), transaction.atomic():
        staff = tenants_create()
        DemoSeeder(rng, plans, staff).run()
        written = time.monotonic()
    return DemoSeeded(seconds=time.monotonic() - started, after_commit=time.monotonic() - written)


def demo_stage_counts() -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Cases per (centre code, stage), and cases on hold per centre code."""
    counts = Counter(Case.objects.values_list("centre__code", "stage"))
    held = Counter(Case.objects.filter(on_hold=True).values_list("centre__code", flat=True))
    return counts, held


def demo_record_counts() -> dict[str, int]:
    """How many of each domain record the demo's histories left."""
    return {
        "triage results": TriageResult.objects.count(),
        "contact attempts": ContactAttempt.objects.count(),
        "mediation sessions": MediationSession.objects.count(),
        "effective settlements": Settlement.objects.filter(status=Settlement.Status.EFFECTIVE).count(),
        "court filings": Filing.objects.count(),
        "payment orders": PaymentOrder.objects.count(),
        "suits": Suit.objects.count(),
        "enforcements": Enforcement.objects.count(),
        "payments": Payment.objects.count(),
        "breaches": Breach.objects.count(),
        "credit repair records": RepairRecord.objects.count(),
        "certificates": RepairRecord.objects.filter(certificate__isnull=False).count(),
        "notices": Notice.objects.count(),
    }
