"""Creditor pages: record a payment, import a payment file with a per-row report, the repair dashboard,
a case's ledger; all scoped (another creditor's case is a 404)."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Stage
from credit_repair.models import Payment, PaymentImport
from credit_repair.selectors import case_ledger
from tests.credit_repair.factories import PaymentFactory

from .conftest import performing


@pytest.fixture
def case(world):
    return performing(world, total="6000.00", count=2, first_due=timezone.localdate() - timedelta(days=10))


def test_the_payment_form_records_a_payment_and_the_ledger_shows_it(world, case, login):
    client = login("creditor1")
    assert client.get("/repair/payments/new/").status_code == 200
    response = client.post(
        "/repair/payments/new/",
        {"case": case.code.lower(), "paid_on": "2026-09-01", "amount": "￥1,500.5", "reference": "F-1"},
    )
    assert response.status_code == 302 and response["Location"] == f"/repair/cases/{case.code}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "F-1" in html and "¥1,500.50" in html and "¥4,499.50" in html
    again = client.post(
        "/repair/payments/new/",
        {"case": case.external_ref, "paid_on": "2026-09-01", "amount": "1500.50", "reference": "F-1"},
        follow=True,
    )
    assert "recorded before" in again.content.decode()
    assert Payment.objects.filter(case=case).count() == 1


def test_the_payment_form_refuses_what_is_wrong(world, case, login):
    client = login("creditor1")
    bad = client.post(
        "/repair/payments/new/",
        {"case": case.code, "paid_on": "2026-09-01", "amount": "-5", "reference": "F-2"},
    )
    assert bad.status_code == 400
    unknown = client.post(
        "/repair/payments/new/",
        {"case": "NOSUCHCASE", "paid_on": "2026-09-01", "amount": "5", "reference": "F-3"},
    )
    assert unknown.status_code == 400
    client.post(
        "/repair/payments/new/",
        {"case": case.code, "paid_on": "2026-09-01", "amount": "5", "reference": "F-4"},
    )
    conflict = client.post(
        "/repair/payments/new/",
        {"case": case.code, "paid_on": "2026-09-01", "amount": "6", "reference": "F-4"},
    )
    assert conflict.status_code == 409 and "F-4" in conflict.content.decode()
    assert not Payment.objects.filter(reference__in=["F-2", "F-3"]).exists()


def test_other_roles_may_not_record_payments(world, login):
    assert login("judge1").get("/repair/payments/new/").status_code == 403
    assert login("mediator1").post("/repair/payments/import/", {}).status_code == 403


def csv_file(rows: list[str], name="payments.csv", encoding="utf-8") -> SimpleUploadedFile:
    text = "\r\n".join(["案件编号,合同编号,还款日期,还款金额,交易流水号", *rows]) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_a_payment_file_is_recorded_set_based_with_a_per_row_report(world, case, login):
    other = performing(world, total="1000.00", count=1)
    other_creditors = world.case(world.cf)
    PaymentFactory(
        case=case,
        creditor=world.bank,
        paid_on=date(2026, 9, 1),
        amount=Decimal("100.00"),
        reference="OLD-1",
        source="portal",
    )
    rows = [
        f"{case.code},,2026-09-02,2000.00,T-1",  # 2: recorded
        f',{case.external_ref},2026/9/3,"1,000.00",T-2',  # 3: recorded, by contract number
        f"{other.code},,2026年9月4日,1000,T-3",  # 4: recorded, pays the other case in full
        f"{case.code},,2026-09-02,2000.00,T-1",  # 5: the same row twice in the file
        f"{case.code},,2026-09-05,50.00,T-1",  # 6: same reference, other payment
        f"{case.code},,2026-09-01,100.00,OLD-1",  # 7: recorded before
        f"{case.code},,2026-09-01,999.00,OLD-1b",  # 8: recorded
        f"{other_creditors.code},,2026-09-01,10.00,T-9",  # 9: not this creditor's case
        f"{case.code},,2099-01-01,10.00,T-10",  # 10: date in the future
        f"{case.code},,2026-09-01,abc,T-11",  # 11: not an amount
        ",,2026-09-01,10.00,T-12",  # 12: no case
    ]
    client = login("creditor1")
    response = client.post("/repair/payments/import/", {"file": csv_file(rows, encoding="gb18030")})
    record = PaymentImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/repair/payments/import/{record.pk}/"
    assert (record.rows_read, record.accepted, record.duplicates, record.rejected, record.performed) == (
        11,
        4,
        2,
        5,
        1,
    )
    issues = {(i.row, i.code) for i in record.issues.all()}
    assert issues == {
        (5, "duplicate_in_file"),
        (6, "reference_conflict"),
        (7, "duplicate"),
        (9, "case_unknown"),
        (10, "date_future"),
        (11, "amount_invalid"),
        (12, "case_missing"),
    }
    assert case_ledger(case=case).paid == Decimal("4099.00")
    other.refresh_from_db()
    assert other.stage == Stage.CREDIT_REPAIR
    assert list(case.events.order_by("-seq").values_list("action", flat=True)[:1]) == ["payments_recorded"]
    report = client.get(response["Location"]).content.decode()
    assert 'data-testid="accepted">4<' in report and "No case of yours has this code" in report
    # The same file again records nothing new.
    client.post("/repair/payments/import/", {"file": csv_file(rows)})
    second = PaymentImport.objects.latest("pk")
    assert second.accepted == 0 and second.duplicates == 6
    assert case_ledger(case=case).paid == Decimal("4099.00")


def test_an_xlsx_payment_file_with_number_cells(world, case, login):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["合同编号", "还款日期", "还款金额", "交易流水号"])
    sheet.append([case.external_ref, date(2026, 9, 1), 1234.56, 20260901001])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("p.xlsx", buffer.getvalue())
    login("creditor1").post("/repair/payments/import/", {"file": upload})
    record = PaymentImport.objects.get()
    assert record.accepted == 1, list(record.issues.values_list("code", "message"))
    payment = Payment.objects.get(case=case)
    assert (payment.amount, payment.reference, payment.source) == (Decimal("1234.56"), "20260901001", "file")


def test_a_file_without_the_columns_is_refused_with_a_reason(world, login):
    upload = SimpleUploadedFile("p.csv", "姓名,金额\r\n张三,5\r\n".encode())
    response = login("creditor1").post("/repair/payments/import/", {"file": upload}, follow=True)
    record = PaymentImport.objects.get()
    assert record.status == "refused" and record.accepted == 0
    assert 'data-testid="refused"' in response.content.decode()


def test_the_template_downloads(world, login):
    response = login("creditor1").get("/repair/payments/import/template.csv")
    assert response.status_code == 200 and "交易流水号" in response.content.decode("utf-8-sig")


def test_another_creditor_gets_404_on_the_ledger_and_sees_nothing_on_the_dashboard(world, case, login):
    from credit_repair import services

    services.payment_record(
        case=case, paid_on=date(2026, 9, 1), amount="6000.00", reference="ALL", actor=world.creditor1
    )
    own = login("creditor1").get("/repair/")
    assert case.code in own.content.decode()
    other = login("creditor2")
    assert other.get(f"/repair/cases/{case.code}/").status_code == 404
    assert other.post(f"/repair/cases/{case.code}/steps/credit_report_correction/", {}).status_code == 404
    assert other.post(f"/repair/cases/{case.code}/enforce/").status_code == 404
    dashboard = other.get("/repair/").content.decode()
    assert case.code not in dashboard and 'data-testid="pending-count">0<' in dashboard


def test_the_dashboard_needs_a_login(client):
    assert client.get("/repair/").status_code == 302
