"""A centre admin keeps the centre's templates as versions, previews them, and sees only their centre."""

import pytest
from django.urls import reverse

from core.models import Role
from core.services import centre_staff_organisation, staff_user_create
from notices import services
from notices.models import Kind, NoticeTemplate

from .conftest import pdf_text

pytestmark = pytest.mark.django_db
BODY = (
    "<h1>债务清收函</h1>"
    "<p>{{ doc.debtor_name }}：请于{{ doc.reply_days }}日内联系我们。{{ doc.total.capitals }}</p>"
)


@pytest.fixture
def admin_client(world, login):
    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    return login("centreadmin")


def add_version(client, world, body, note="v"):
    return client.post(
        reverse("admin:notices_noticetemplate_add"),
        {"centre": world.qz.pk, "kind": Kind.DEBT_COLLECTION, "body": body, "css": "", "note": note},
    )


def test_each_save_is_a_new_active_version_and_old_versions_stay(admin_client, world):
    start = admin_client.get(reverse("admin:notices_noticetemplate_add") + "?kind=debt_collection")
    assert (
        start.status_code == 200 and "根据《中华人民共和国民法典》" in start.content.decode()
    )  # the default to edit
    assert add_version(admin_client, world, BODY).status_code == 302
    assert (
        add_version(admin_client, world, BODY.replace("联系我们", "致电我们"), note="v2").status_code == 302
    )
    versions = list(NoticeTemplate.objects.order_by("version").values_list("version", "is_active", "body"))
    assert versions == [(1, False, BODY), (2, True, BODY.replace("联系我们", "致电我们"))]


def test_a_template_that_does_not_render_is_refused(admin_client, world):
    response = add_version(admin_client, world, "{% for %}")
    assert response.status_code == 200 and not NoticeTemplate.objects.exists()


def test_preview_renders_sample_values_never_a_real_case(admin_client, world):
    add_version(admin_client, world, BODY)
    template = NoticeTemplate.objects.get()
    response = admin_client.get(reverse("admin:notices_noticetemplate_preview", args=[template.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "张三：请于15日内联系我们。" in text and "人民币壹万零陆佰贰拾叁元肆角伍分" in text
    default = admin_client.get(
        reverse("admin:notices_noticetemplate_default_preview", args=[Kind.PAYMENT_ORDER])
    )
    assert "支付令" in pdf_text(default.content)


def test_a_centre_admin_sees_only_their_centres_templates(admin_client, world):
    other = services.notice_template_publish(
        centre=world.ly, kind=Kind.DEBT_COLLECTION, body=BODY, actor=None
    )
    listing = admin_client.get(reverse("admin:notices_noticetemplate_changelist"))
    assert listing.status_code == 200 and world.ly.name not in listing.content.decode()
    assert (
        admin_client.get(reverse("admin:notices_noticetemplate_preview", args=[other.pk])).status_code == 404
    )


def test_activating_an_older_version_and_going_back_to_the_default(admin_client, world):
    add_version(admin_client, world, BODY)
    add_version(admin_client, world, BODY + "<p>二</p>")
    first = NoticeTemplate.objects.get(version=1)
    url = reverse("admin:notices_noticetemplate_changelist")
    admin_client.post(url, {"action": "make_active", "_selected_action": [first.pk]})
    assert services.notice_template_active(centre_id=world.qz.pk, kind=Kind.DEBT_COLLECTION).version == 1
    admin_client.post(url, {"action": "back_to_default", "_selected_action": [first.pk]})
    assert services.notice_template_active(centre_id=world.qz.pk, kind=Kind.DEBT_COLLECTION) is None


def test_other_roles_cannot_use_the_notice_admin(world, login):
    staff_user_create(
        username="ly-admin",
        password="demo-pass-2026",
        organisation=centre_staff_organisation(world.ly),
        role=Role.CENTRE_ADMIN,
    )
    world.creditor1.is_staff = True
    world.creditor1.save(update_fields=["is_staff"])
    client = login("creditor1")
    assert client.get(reverse("admin:notices_noticetemplate_changelist")).status_code == 403
