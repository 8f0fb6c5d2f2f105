"""Query helpers shared by the apps' selectors."""

from typing import Any

from django.db.models import Field, IntegerField, Lookup, QuerySet, Subquery


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


class AnyOf(Lookup):
    """``pk__any_of=[...]``: a long list of values as one array parameter on PostgreSQL (``= ANY(%s)``),
    an IN list elsewhere. An IN list of 5,000 placeholders costs the client-side driver more to parse
    than the database to run; set-based services pass their chunks of ids this way."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql, params = any_of_sql(lhs, list(self.rhs), connection.vendor)
        return sql, [*lhs_params, *params]


def any_of_sql(column: str, values: list[Any], vendor: str) -> tuple[str, list[Any]]:
    """``column`` is one of ``values``, as SQL and parameters: one array parameter on PostgreSQL."""
    if not values:
        return "1 = 0", []
    if vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


Field.register_lookup(AnyOf)
