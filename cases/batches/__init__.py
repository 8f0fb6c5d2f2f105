"""Creditor batch upload: read, validate and import a case file (BATCH_FORMAT.md), report every fault."""
