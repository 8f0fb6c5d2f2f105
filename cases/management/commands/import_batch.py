"""Import a case batch file for a creditor (BATCH_FORMAT.md): the same rules as the web upload and the API."""

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from cases.batches import selectors
from cases.batches.importer import batch_import
from cases.batches.services import batch_create
from cases.batches.validation import error_message
from cases.models import Batch
from cases.signals import batch_imported
from core.models import Organisation


class Command(BaseCommand):
    help = "Import a case batch file (.xlsx, .csv, .tsv) for a creditor; --json prints one JSON object."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--creditor", required=True, help="the creditor organisation's code")
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--no-route",
            action="store_false",
            dest="route",
            help="import only: do not apply the centre's triage rules and assignment to the new cases now",
        )

    def handle(
        self, *args: Any, creditor: str, file: str, as_json: bool, route: bool = True, **options: Any
    ) -> None:
        org = Organisation.objects.filter(code=creditor, kind=Organisation.Kind.CREDITOR).first()
        if org is None:
            self._refuse(None, f"unknown creditor: {creditor}", as_json)
        path = Path(file)
        if not path.is_file():
            self._refuse(None, f"no such file: {file}", as_json)
        batch = batch_create(creditor=org, filename=path.name, path=path.resolve())
        try:
            batch = batch_import(batch=batch, route=route)
        except Exception as exc:  # the batch is marked failed and nothing of it was saved
            batch.refresh_from_db()
            detail = f"{type(exc).__name__}: {exc}"
            self._refuse(batch, f"{selectors.batch_message_text(batch)} ({detail})", as_json)
        if batch.status != Batch.Status.DONE:
            self._refuse(batch, selectors.batch_message_text(batch), as_json)
        if route:  # as after a web upload: the centre's triage rules, then its mediators
            batch_imported.send(sender=Batch, batch=batch)
        if as_json:
            self._print_json(batch)
            return
        self.stdout.write(
            f"batch {batch.pk}: {batch.rows_read} rows read, {batch.accepted} accepted, "
            f"{batch.rejected} rejected"
        )
        if batch.unknown_columns:
            self.stdout.write("unknown columns ignored: " + ", ".join(batch.unknown_columns))
        for e in selectors.batch_errors(batch=batch).iterator(chunk_size=5000):
            self.stdout.write(f"row {e.row}\t{e.column}\t{e.code}\t{error_message(e.message)}")

    def _print_json(self, batch: Batch) -> None:
        out = self.stdout
        out.write(
            f'{{"batch": {batch.pk}, "accepted": {batch.accepted}, "rejected": {batch.rejected}, "errors": [',
            ending="",
        )
        errors = selectors.batch_errors(batch=batch).values_list("row", "column", "code")
        for i, (row, column, code) in enumerate(errors.iterator(chunk_size=5000)):
            out.write(
                ("" if i == 0 else ", ") + json.dumps({"row": row, "column": column, "code": code}), ending=""
            )
        out.write("]}")

    def _refuse(self, batch: Batch | None, message: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "batch": batch.pk if batch else None,
                        "accepted": 0,
                        "rejected": 0,
                        "errors": [],
                        "refused": message,
                    },
                    ensure_ascii=False,
                )
            )
        raise CommandError(message)
