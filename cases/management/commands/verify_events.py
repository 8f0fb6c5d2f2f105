"""Check the hash chains of case events: ``manage.py verify_events [--case CODE]``.

Prints ``OK: N events in M cases verified``, or the first broken row of every broken chain and exits
non-zero, so a cron job or CI step notices tampering.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.events import ChainBreak, verify_chains
from cases.models import Case, CaseEvent


class Command(BaseCommand):
    help = "Verify the hash-chained event log of every case (or one) and report the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", dest="code", help="verify only the case with this code")

    def handle(self, *args: Any, code: str | None = None, **options: Any) -> None:
        cases = Case.objects.all()
        case_ids: list[int] | None = None
        if code:
            cases = cases.filter(code=code.strip().upper())
            case_ids = list(cases.values_list("pk", flat=True))
            if not case_ids:
                raise CommandError(f"No case with code {code!r}.")
        breaks = list(verify_chains(case_ids))
        if not breaks:
            events = CaseEvent.objects.filter(case__in=cases).count() if code else CaseEvent.objects.count()
            self.stdout.write(self.style.SUCCESS(f"OK: {events} events in {cases.count()} cases verified"))
            return
        codes = dict(Case.objects.filter(pk__in=[b.case_id for b in breaks]).values_list("pk", "code"))
        for item in breaks:
            self.stdout.write(self.style.ERROR(_describe(item, codes.get(item.case_id, str(item.case_id)))))
        raise CommandError(f"{len(breaks)} broken event chain(s)")


def _describe(item: ChainBreak, code: str) -> str:
    seq = f" #{item.seq}" if item.seq is not None else ""
    if item.event_id is None:
        return f"BROKEN: case {code}{seq}: {item.problem}"
    return f"BROKEN: event id={item.event_id} (case {code}{seq}): {item.problem}"
