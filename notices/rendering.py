"""HTML to PDF with WeasyPrint, the fast way (measured in bench/notices_bench.py).

Per worker process, once: one FontConfiguration, the print stylesheet parsed once per distinct CSS text,
and an image cache (seals). Per letter: only the HTML is parsed, laid out and written.

The font is Notice Sans (notices/fonts/, cut from Debian's Noto Sans CJK SC by notices/fonts/build_fonts.py):
GB2312 plus the templates' characters, regular and bold only, no hinting, no vertical or OpenType layout
tables, glyphs renumbered so that the characters of the templates come first. WeasyPrint subsets it again
per PDF (with libharfbuzz-subset) and keeps glyph ids, so a small font with the common glyphs at low ids
makes both the subsetting and the embedded font small. Characters outside it (rare names) fall back to the
system Noto Sans CJK SC: still correct, just a bigger PDF.

Court documents in court form (body class "court-form", print.css) set their body in Notice Serif, cut the
same way from Debian's Noto Serif CJK SC; WeasyPrint embeds only the faces a document uses, so a letter
carries no serif and a ruling no sans.
"""

import functools
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
PRINT_CSS = Path(settings.BASE_DIR) / "templates" / "notices" / "print.css"
FONT_FAMILY = "Notice Sans"
SERIF_FONT_FAMILY = "Notice Serif"
# Regular and bold: the only faces the templates use (bold for names, titles and totals).
FONT_FACES = {400: "NoticeSans-Regular.otf", 700: "NoticeSans-Bold.otf"}
SERIF_FONT_FACES = {400: "NoticeSerif-Regular.otf", 700: "NoticeSerif-Bold.otf"}
# Why: the image cache lives as long as the worker; seals are few, but do not let it grow without end.
IMAGE_CACHE_LIMIT = 256


class RenderError(Exception):
    """The template or its resources could not be turned into a PDF."""


class NoticeUrlFetcher(URLFetcher):
    """Only data: URIs and files under the fonts folder or the private seals folder.

    Templates are editable by centre admins: nothing else on disk (an attachment of /etc/passwd) or on the
    network (a request to an internal service) may end up in a PDF.
    """

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in allowed_roots()):
                return super().fetch(url, headers)
        raise ValueError(f"resource not allowed in a notice: {url[:100]}")


def allowed_roots() -> list[Path]:
    return [FONTS_DIR, (Path(settings.PRIVATE_STORAGE_ROOT) / "seals").resolve()]


def font_faces_css() -> str:
    return "".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(FONTS_DIR / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: normal; }}\n"
        for family, faces in ((FONT_FAMILY, FONT_FACES), (SERIF_FONT_FAMILY, SERIF_FONT_FACES))
        for weight, name in faces.items()
    )


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class _Renderer:
    """The per-process state: fonts, parsed stylesheets, images. WeasyPrint is not thread-safe: one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.font_config = FontConfiguration()
        self.url_fetcher = NoticeUrlFetcher(allowed_protocols=("file", "data"))
        self.image_cache: dict[str, Any] = {}
        self.base_css_text = font_faces_css() + PRINT_CSS.read_text(encoding="utf-8")

    @functools.lru_cache(maxsize=32)  # noqa: B019 - one renderer per process, kept for its life
    def stylesheet(self, css_text: str) -> CSS:
        return CSS(
            string=css_text,
            font_config=self.font_config,
            url_fetcher=self.url_fetcher,
            base_url=FONTS_DIR.as_uri() + "/",
        )

    def render(self, html: str, extra_css: str) -> RenderedPdf:
        with self.lock:
            if len(self.image_cache) > IMAGE_CACHE_LIMIT:
                self.image_cache.clear()
            sheets = [self.stylesheet(self.base_css_text)]
            if extra_css.strip():
                sheets.append(self.stylesheet(extra_css))
            try:
                document = HTML(
                    string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=self.url_fetcher
                ).render(font_config=self.font_config, stylesheets=sheets, cache=self.image_cache)
                data = document.write_pdf()
            except Exception as exc:  # WeasyPrint raises many kinds; the caller records the reason
                raise RenderError(f"{type(exc).__name__}: {exc}") from exc
            return RenderedPdf(data=data, pages=len(document.pages))


@functools.cache
def renderer() -> _Renderer:
    return _Renderer()


def render_pdf(html: str, *, extra_css: str = "") -> RenderedPdf:
    """One PDF from one HTML document, with the print stylesheet and an optional centre stylesheet."""
    return renderer().render(html, extra_css)
