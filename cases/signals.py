"""What the cases app announces, so that the apps downstream of it need not be called from here."""

from django.dispatch import Signal

# A batch's cases are committed: sent with batch=<Batch> by the import task once the batch is done.
# A redelivered task may send it again for the same batch: receivers must be safe to run twice.
batch_imported = Signal()
