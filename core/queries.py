"""Query helpers shared by the apps' selectors."""

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery


class SubqueryCount(Subquery):
    """COUNT(*) of a queryset as a scalar subquery, so several counts travel in one round trip:

    Centre.objects.filter(pk=centre_id).annotate(
        waiting=SubqueryCount(Objection.objects.filter(status="under_review"))
    ).values("waiting")
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS _counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet[Any], **extra: Any) -> None:
        super().__init__(queryset.order_by().values("pk"), **extra)
