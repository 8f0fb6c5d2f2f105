"""The signed link from a notice's SMS or e-mail. Mounted by config.urls under notices/ in the "notices"
namespace (notices.links builds these links as "notices:open")."""

from django.urls import path

from . import notice_views as views

urlpatterns = [
    path("open/<str:token>/", views.NoticeOpenView.as_view(), name="open"),
    path("open/<str:token>/pdf/", views.NoticeOpenPdfView.as_view(), name="open_pdf"),
]
