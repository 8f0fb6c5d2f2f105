"""The document kinds notices renders, each registered by the app that owns it.

notices knows what every document shares (letterhead, parties, amounts, rendering, storing, sending and
proof of service); an app above it (mediation, courts, credit_repair, oversight) registers its own kinds
from its AppConfig.ready, with the builder of what its documents state beyond the case. notices imports
none of those apps: it reaches them only through what they registered here.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# builder(case=..., subject=...) -> the kind's own part of the document context (plain values).
ContextBuilder = Callable[..., dict[str, Any]]
# builder(today=...) -> made-up values of that part, for previewing a template.
SampleBuilder = Callable[..., dict[str, Any]]
# decisions(case) -> the decisions a court document of this kind carries, newest first.
DecisionsQuery = Callable[[Any], Any]
# served(decision=..., served_on=...): the decision a document carries was served by its electronic delivery
# (CPL 90¶2; Interp. 135); the owning app records the service (e.g. a payment order's objection window).
ServedHook = Callable[..., Any]
# missing(case=..., kind=..., subject=...) -> labels of the required elements of a court form still empty:
# such a document is not issued (courts.documents.court_document_missing).
MissingHook = Callable[..., list[str]]


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    title: str  # the legal name printed on the document (document content, not interface text)
    issuers: tuple[str, ...]  # who issues it, in order of preference; "centre" is the centre's organisation
    context: ContextBuilder | None = None
    sample: SampleBuilder | None = None
    decisions: DecisionsQuery | None = None
    template: str = ""  # a whole-page template (a document that is not a letter on a case)
    served: ServedHook | None = None
    missing: MissingHook | None = None


KINDS: dict[str, DocumentKind] = {}


def register_document(
    kind: str,
    *,
    title: str,
    issuers: tuple[str, ...] = ("centre",),
    context: ContextBuilder | None = None,
    sample: SampleBuilder | None = None,
    decisions: DecisionsQuery | None = None,
    template: str = "",
    served: ServedHook | None = None,
    missing: MissingHook | None = None,
) -> DocumentKind:
    """Register (or re-register, on a second ready()) one document kind."""
    entry = DocumentKind(
        kind=str(kind),
        title=title,
        issuers=tuple(issuers),
        context=context,
        sample=sample,
        decisions=decisions,
        template=template,
        served=served,
        missing=missing,
    )
    KINDS[entry.kind] = entry
    return entry


def document_kind(kind: str) -> DocumentKind:
    try:
        return KINDS[str(kind)]
    except KeyError:
        raise KeyError(f"no document kind {kind!r} is registered") from None


class _Field(Mapping[str, Any]):
    """A read-only view of one field of every registered kind (kind -> title, kind -> issuers)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __getitem__(self, kind: str) -> Any:
        return getattr(document_kind(kind), self.field)

    def __iter__(self) -> Iterator[str]:
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


TITLES: Mapping[str, str] = _Field("title")
ISSUERS: Mapping[str, tuple[str, ...]] = _Field("issuers")
