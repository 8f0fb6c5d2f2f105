"""Cut Notice Sans (regular and bold) from Debian's Noto Sans CJK SC, and Notice Serif (the body face of the
court's documents) from Noto Serif CJK SC: run from the repository root with

    python notices/fonts/build_fonts.py          # both families
    python notices/fonts/build_fonts.py serif    # one family: sans or serif

It needs fonts-noto-cjk (scripts/install_system_packages.sh) and fontTools (a WeasyPrint dependency) and
writes the same bytes for the same inputs. Run it again when the templates gain a character outside GB2312.

What it does, and why (see notices/rendering.py and bench/notices_bench.py for the measurements):
- keeps GB2312 plus every character of the notice templates: 7,500 glyphs instead of 65,535;
- orders the glyphs so the characters every letter uses come first (ASCII, punctuation, the templates'
  characters, Chinese capitals, then GB2312 level 1, symbols, level 2). WeasyPrint keeps glyph ids when it
  subsets a font for a PDF, so the embedded font's tables grow with the highest id a letter uses;
- renumbers the CIDs to equal the glyph ids (one charset range instead of thousands);
- drops hinting, the vertical metrics and the OpenType layout tables, which horizontal Chinese text in
  a PDF does not use;
- renames the family to "Notice Sans" / "Notice Serif" (a modified font must not carry the original name;
  SIL OFL 1.1).
"""

import re
import sys
from collections import Counter
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ASCII_LAST = 0x7F

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
NOTO = Path("/usr/share/fonts/opentype/noto")
# family key -> (family name, {style: source collection}); both collections come with fonts-noto-cjk.
FAMILIES = {
    "sans": (
        "Notice Sans",
        {"Regular": NOTO / "NotoSansCJK-Regular.ttc", "Bold": NOTO / "NotoSansCJK-Bold.ttc"},
    ),
    "serif": (
        "Notice Serif",
        {"Regular": NOTO / "NotoSerifCJK-Regular.ttc", "Bold": NOTO / "NotoSerifCJK-Bold.ttc"},
    ),
}
SC_INDEX = 2  # Noto Sans/Serif CJK SC in the collections (simplified Chinese glyph forms)
# Characters every letter uses, before the templates' own.
FIRST = (
    [chr(c) for c in range(0x20, 0x7F)]
    + list("\u3000，。、；：？！“”‘’（）《》〈〉【】—…·￥¥％×")
    + list("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整人民币年月日")
)
DROP_TABLES = ["GSUB", "GPOS", "BASE", "JSTF", "vmtx", "vhea", "VORG", "DSIG"]


def gb2312_rows(first: int, last: int) -> list[str]:
    chars = []
    for hi in range(first, last + 1):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def template_characters() -> list[str]:
    """Non-ASCII characters of the notice templates and document code, most frequent first."""
    counts: Counter[str] = Counter()
    paths = (
        sorted((ROOT / "templates" / "notices").rglob("*"))
        + sorted((ROOT / "notices").glob("*.py"))
        + [ROOT / "courts" / "documents.py"]
    )
    for path in paths:
        if path.suffix in (".html", ".css", ".py", ".txt"):
            counts.update(
                c for c in path.read_text(encoding="utf-8") if ord(c) > ASCII_LAST and c.isprintable()
            )
    return [c for c, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def character_order() -> list[str]:
    tiers = (
        FIRST
        + template_characters()
        + gb2312_rows(0xB0, 0xD7)
        + gb2312_rows(0xA1, 0xA9)
        + gb2312_rows(0xD8, 0xF7)
        + [chr(c) for c in range(0x3000, 0x3040)]
        + [chr(c) for c in range(0xFF01, 0xFF5F)]
    )
    seen: set[str] = set()
    return [c for c in tiers if not (c in seen or seen.add(c))]  # type: ignore[func-returns-value]


def subset_font(source: Path, chars: list[str]) -> TTFont:
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += DROP_TABLES
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    font = TTFont(source, fontNumber=SC_INDEX, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    return font


def reorder_glyphs(font: TTFont, chars: list[str]) -> None:
    """Glyph order = character order; glyph names (CIDs) = glyph ids."""
    cmap = font.getBestCmap()
    order = [".notdef"]
    placed = {".notdef"}
    for c in chars:
        name = cmap.get(ord(c))
        if name and name not in placed:
            order.append(name)
            placed.add(name)
    order += [g for g in font.getGlyphOrder() if g not in placed]
    rename = {old: (".notdef" if i == 0 else f"cid{i:05d}") for i, old in enumerate(order)}

    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings
    for name in top.charset:
        charstrings.getItemAndSelector(name)  # load every glyph before the index is rebuilt
    position = {name: i for i, name in enumerate(top.charset)}
    indices = [position[name] for name in order]
    index = charstrings.charStringsIndex
    index.items = [index.items[i] for i in indices]
    for attr in ("file", "offsets"):
        if hasattr(index, attr):
            delattr(index, attr)
    top.FDSelect.format = None
    top.FDSelect.gidArray = [top.FDSelect.gidArray[i] for i in indices]
    new_names = [rename[name] for name in order]
    charstrings.charStrings = {name: i for i, name in enumerate(new_names)}
    top.charset = new_names
    top.CIDCount = len(new_names)
    for table in font["cmap"].tables:
        table.cmap = {code: rename[name] for code, name in table.cmap.items()}
    font["hmtx"].metrics = {rename[name]: metric for name, metric in font["hmtx"].metrics.items()}
    font.setGlyphOrder(new_names)


def rename_family(font: TTFont, family: str, style: str) -> None:
    postscript = f"{family.replace(' ', '')}-{style}"
    names = {1: family, 2: style, 3: f"{postscript};build_fonts.py", 4: f"{family} {style}", 6: postscript}
    for record in list(font["name"].names):
        if record.nameID in names:
            record.string = names[record.nameID]
        elif record.nameID not in (0, 5, 13, 14):
            font["name"].removeNames(nameID=record.nameID)
    top = font["CFF "].cff.topDictIndex[0]
    font["CFF "].cff.fontNames = [postscript]
    top.FullName, top.FamilyName = f"{family} {style}", family
    for fd in top.FDArray:
        fd.FontName = re.sub(r"^Noto(?:Sans|Serif)CJK\w*?-", f"{family.replace(' ', '')}-", fd.FontName)


def build(family: str, style: str, source: Path, chars: list[str]) -> Path:
    font = subset_font(source, chars)
    reorder_glyphs(font, chars)
    rename_family(font, family, style)
    target = OUT / f"{family.replace(' ', '')}-{style}.otf"
    font.save(target)
    return target


def main(keys: list[str]) -> int:
    unknown = [k for k in keys if k not in FAMILIES]
    if unknown:
        print("unknown families:", *unknown, "(choose from:", *FAMILIES, ")", file=sys.stderr)
        return 2
    chosen = [FAMILIES[k] for k in keys or FAMILIES]
    missing = [str(p) for _family, sources in chosen for p in sources.values() if not p.exists()]
    if missing:
        print("missing source fonts (install fonts-noto-cjk):", *missing, file=sys.stderr)
        return 1
    chars = character_order()
    for family, sources in chosen:
        for style, source in sources.items():
            target = build(family, style, source, chars)
            glyphs, size = TTFont(target)["maxp"].numGlyphs, target.stat().st_size
            print(f"{target.relative_to(ROOT)}: {glyphs} glyphs, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
