"""HTML reader: web pages (``.html``, ``.htm``) and HTML saved under another suffix (a web system's
"Excel export" ``.xls``, a "Word" ``.doc``), parsed with lxml (libxml2's HTML parser).

What a person sees on the page, in reading order:

* **Tables** with their grid: a cell is reported once with its ``rowspan``/``colspan`` (the HTML table
  model: slots a rowspan from above still covers are skipped, ``rowspan="0"`` runs to the end of its
  row group and a rowspan never runs past it, ``colspan`` is 1–1,000); rows in the order they are
  shown (``<thead>``, the bodies, ``<tfoot>`` last). In a cell ``<br>``, ``<p>``, ``<div>`` and the other
  block elements are line breaks; runs of white space are one space as a browser shows them, ``&nbsp;``
  a space, entities (``&#9745;`` ☑) their character; a checkbox ``<input>`` is ☑ or ☐, a text box its
  value, a ``<select>`` its chosen option.
* **Layout tables are not tables.** Old web pages place everything (logo, menu, the article) in
  tables. A table is read as a layout frame, its cells in order as if each were a ``<div>``, when it
  has at most one cell with content (a box around a text or around a table), or when it holds tables
  in its cells and fewer than two of its rows have two cells of text of their own (the page's columns,
  not a grid of labels and values). Every other table is a table. A table nested in a cell of a table
  that is read as a table is left out of that cell's text and follows it as a table of its own, read
  with its own grid (the form is never flattened into one cell).
* **Text outside tables** as ``Paragraph`` blocks: one per block element or ``<br>`` line; a heading
  (``<h1>`` … ``<h6>``) with its ``level``. A heading inside a table cell is a line of the cell.
* **Left out:** ``<head>`` (the ``<title>`` too), scripts, styles, ``<noscript>``, ``<template>``,
  frames and embedded objects, buttons; anything hidden (``hidden``, ``display:none``,
  ``visibility:hidden``: the column-width row Word puts at the end of its tables); the page's navigation
  and chrome: ``<nav>``; ``<header>``/``<footer>``/``<aside>`` of the page (not those of an
  ``<article>``, ``<section>`` or ``<main>``); ``role="navigation"`` / ``banner`` / ``contentinfo`` /
  ``search``; block elements whose class or id names a menu, a breadcrumb or a site header or footer
  (``nav``, ``menu``, ``breadcrumb``, ``crumb``, ``position``, ``location``, ``header``, ``footer``, …)
  when they read as such (at most 300 characters, or mostly link text) and hold no data table (one with
  merged cells or three rows of two cells: a form or a report is never lost to a class name); and lines
  that open with 当前位置 / 您的位置 … or 首页 > (a breadcrumb written without a class).

Encoding, as browsers choose it: the byte-order mark; else the page's declaration (``<meta charset>``,
``<meta http-equiv="Content-Type" content="…; charset=…">``, ``<?xml encoding=…?>``; GBK, GB2312 and
their aliases are read as GB18030, their superset); else detected: UTF-8 if the bytes are valid UTF-8,
else GB18030 (which reads GBK and GB2312). A declaration the bytes contradict (a page saying UTF-8 written
in GBK) gives way to the encoding they are valid in, with a note. A few bad bytes (a download cut in the
middle of a character) are replaced by U+FFFD with a note; more is an ``UnreadableDocument`` naming the
encodings tried.

HTML has no pages: blocks carry ``page=None`` and ``Document.pages`` is None.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from extract.readers.limits import raise_if_out_of_memory
from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Paragraph, Table

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
SAVE_AGAIN = "open it in a browser and save it again as a web page (HTML, UTF-8)"

# The HTML table model's bounds: colspan 1–1,000, rowspan 0–65,534. A table is also kept within
# MAX_COLUMNS grid columns (a cell's colspan is clamped so that it ends there, with a note):
# downstream stages build rows × columns grids.
MAX_COLSPAN = 1_000
MAX_ROWSPAN = 65_534
MAX_COLUMNS = 1_000
# An element named like navigation or a site header/footer is left out when its text is at most this
# long or mostly link text.
MAX_CHROME_CHARS = 300
# libxml2's nesting limit for HTML (without XML_PARSE_HUGE): deeper elements are not read, with a note.
MAX_DEPTH = 255

# --------------------------------------------------------------------------- what a page holds

# Not shown, or not text: left out with everything inside them.
_DROP_TAGS = frozenset({
    "head", "title", "script", "style", "noscript", "template", "nav", "iframe", "frame", "frameset",
    "object", "embed", "applet", "svg", "canvas", "map", "button", "datalist", "meta", "link", "base",
    "rt", "rp", "param", "source", "track", "audio", "video", "img", "picture",
})
# The page's own header, footer and sidebar; an <article>'s or <section>'s are its content.
_PAGE_CHROME_TAGS = frozenset({"header", "footer", "aside"})
_SECTIONING = frozenset({"article", "section", "main"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})
# Class or id names of navigation (anywhere) and of the page's header and footer (outside sections).
_NAV_NAMES = frozenset({
    "nav", "navbar", "navigation", "menu", "menubar", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
    "sidebar", "topbar", "toolbar", "sitemap", "skip", "position", "location", "dqwz",
})
_NAV_PARTS = frozenset({"nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs"})
_CHROME_NAMES = frozenset({"header", "footer", "foot", "banner", "copyright"})
_CHROME_PARTS = frozenset({"header", "footer"})
_TABLE_PARTS = frozenset({"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th"})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "ol", "p", "pre", "section",
    "summary", "ul", "tr", "td", "th", "caption", "tbody", "thead", "tfoot", "listing", "xmp",
    "plaintext",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PRE_TAGS = frozenset({"pre", "textarea", "listing", "xmp", "plaintext"})
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)
_BREADCRUMB = re.compile(r"^(?:(?:您|你)(?:当前|现在|所在)?的?|当前(?:所在)?的?|现在的?|所在)位置\s*[:：]|"
                         r"^首页\s*(?:>|»|›|＞|→)")
_END_OF_PAGE = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_NUMBER = re.compile(r"\s*\+?(\d{1,12})")
_SPACES = re.compile(r"[ \t\n\r\f]+")  # the white space a browser collapses (not U+00A0, not U+3000)
_LINE_SPACES = re.compile(r"[ \u00a0]+")

# --------------------------------------------------------------------------- encodings

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Labels browsers read with their GB18030 decoder (GB18030 is a superset of GBK and GB2312).
_GB_LABELS = frozenset({
    "gb2312", "gbk", "gb18030", "x-gbk", "chinese", "csgb2312", "csiso58gb231280", "gb_2312", "gb_2312-80",
    "iso-ir-58", "euc-cn", "x-euc-cn", "cp936", "windows-936", "ms936",
})
# Declarations servers and editors add by default; a Chinese page "in" them was written in another one.
_WEAK = frozenset({"ascii", "latin_1", "iso8859-1", "cp1252"})
_DECLARED = re.compile(
    rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)"  # <meta charset>, http-equiv content
    rb"|<\?xml\b[^>]*?\bencoding\s*=\s*[\"']\s*([A-Za-z0-9_.:-]+)",
    re.I,
)
_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}
_DETECTED = ("utf-8", "gb18030")
# Bytes that may be replaced by U+FFFD before the text counts as undecodable.
_TOLERATED_BAD_BYTES = 8
_TOLERATED_BAD_SHARE = 1 / 1000

_MAGIC = (
    (b"%PDF", "a PDF file", ".pdf"),
    (b"PK\x03\x04", "a zip package (an Office .docx/.xlsx file)", ".docx or .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc/.xls)", ".doc or .xls"),
    (b"{\\rtf", "an RTF document", ".doc"),
)
# Tags that make a text a web page (and not a text dump with a stray "<").
_HTML_TAG = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|table|tr|td|th|div|p|br|span|meta|title|h[1-6]|ul|ol|li|font|"
    r"center|b|strong|a|section|article|script|style|link|form|input)\b",
    re.I,
)
_LEADING_JUNK = re.compile(rb"\A(?:\s+|<!--.*?-->|<\?.*?\?>)*", re.S)
_START_TAG = re.compile(rb"<(!doctype\s+html|[a-z][a-z0-9]*)\b", re.I)
_FIRST_TAGS = frozenset({
    b"!doctype html", b"html", b"head", b"body", b"meta", b"title", b"table", b"div", b"p", b"style",
    b"script", b"link", b"base", b"form", b"center", b"font", b"br", b"span", b"h1", b"h2", b"h3",
})


def looks_like_html(head: bytes) -> bool:
    """Whether a file whose first bytes are ``head`` (4 KB is plenty) is an HTML page: it opens (after a
    byte-order mark, white space, comments and an ``<?xml …?>`` declaration) with ``<!DOCTYPE html>``,
    ``<html>`` or another HTML element, or holds ``<html`` or ``<table`` in those bytes. An XML Spreadsheet
    2003 file (``urn:schemas-microsoft-com:office:spreadsheet``) is not HTML; neither is MHTML."""
    text = _ascii_view(head)
    if not text or b"\x00" in text:
        return False
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text.lower() and b"<html" not in text.lower():
        return False
    body = text[_LEADING_JUNK.match(text).end():]  # type: ignore[union-attr]
    start = _START_TAG.match(body)
    if start and re.sub(rb"\s+", b" ", start.group(1).lower()) in _FIRST_TAGS:
        return True
    lowered = text.lower()
    return not lowered.startswith(b"<?xml") and (b"<html" in lowered or b"<table" in lowered)


def _ascii_view(head: bytes) -> bytes:
    """``head`` as ASCII-compatible bytes: UTF-16 (with its mark) re-encoded, a UTF-8 mark dropped."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        return head[2:].decode(enc, "replace").encode("utf-8", "replace")
    return head.removeprefix(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------- entry points


def html_to_document(path: Path) -> Document:
    """An HTML file → ``Document`` with ``format="html"``; a file of another suffix (``.xls``,
    ``.doc``) read as HTML gets a note saying so."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read the file ({exc.strerror or exc})") from exc
    suffix = path.suffix.lower()
    doc = html_bytes_to_document(data, suffix or ".html")
    if suffix not in HTML_SUFFIXES:
        what = {".xls": " (a web system's Excel export)", ".doc": " (a web system's Word export)"}.get(suffix, "")
        note = f"an HTML page saved with a {suffix or 'missing'} suffix{what}; read as HTML"
        doc = replace(doc, notes=(note, *doc.notes))
    return doc


def html_bytes_to_document(data: bytes, suffix: str = ".html") -> Document:
    """The bytes of an HTML page → ``Document`` (``suffix`` only words the messages)."""
    text, notes = html_bytes_to_text(data, suffix)
    root, too_deep = _parse(text, suffix)
    if too_deep:
        notes.append(f"the page nests elements more than {MAX_DEPTH} deep: libxml2 stopped there, what lies deeper "
                     "was not read")
    flow = _Flow()
    _walk(root, flow, _TOP)
    flow.brk()
    if not flow.blocks:
        why = f"its elements nest more than {MAX_DEPTH} deep" if too_deep else \
            "nothing outside scripts, styles and navigation"
        raise UnreadableDocument(f"the HTML page shows no text ({why}); open it in a browser and, if it shows the "
                                 "report, save it again as a web page (HTML, UTF-8)")
    return Document(blocks=tuple(flow.blocks), format="html", notes=tuple(notes + flow.notes))


def html_bytes_to_text(data: bytes, suffix: str = ".html") -> tuple[str, list[str]]:
    """The page's text decoded (see the module's docstring for the order), and notes on how."""
    size = len(data)
    if not data.strip():
        raise UnreadableDocument(f"the {suffix} file is empty ({size} bytes); get the file again from its source")
    for magic, what, rename in _MAGIC:
        if data.startswith(magic):
            raise UnreadableDocument(f"{what} saved with a {suffix} suffix, not an HTML page; rename it to {rename}")
    bom = next(((mark, enc) for mark, enc in _BOMS if data.startswith(mark)), None)
    if bom is None and b"\x00" in data[:4096]:
        utf16 = _utf16_without_mark(data[:4096])
        if utf16 is None:
            raise UnreadableDocument(f"a binary file ({size} bytes with NUL bytes), not an HTML page: "
                                     f"the file is damaged or of another type; {SAVE_AGAIN}")
        bom = (b"", utf16)
    if bom is not None:
        mark, enc = bom
        text, notes = _decode(data[len(mark):], [enc], "its byte-order mark" if mark else "its NUL bytes", suffix)
    else:
        label = _declared_label(data[:8192])
        declared = _codec(label) if label else None
        notes = []
        if label and declared is None:
            notes.append(f"the page declares the unknown encoding {label!r}: ignored, the encoding was detected")
        if declared is None:
            order, why = list(_DETECTED), "no declaration"
        elif declared in _WEAK:
            order, why = [*_DETECTED, declared], f"declared {label}"
        else:
            order, why = [declared, *(e for e in _DETECTED if e != declared)], f"declared {label}"
        text, more = _decode(data, order, why, suffix, declared)
        notes.extend(more)
    text = text.removeprefix("\ufeff").replace("\x00", "")
    if not _HTML_TAG.search(text[:65536]):
        raise UnreadableDocument(f"not an HTML page (no HTML tags in its {size:,} bytes); if it is a text dump, "
                                 "rename it to .txt; if it is a web page, " + SAVE_AGAIN)
    return text, notes


def _utf16_without_mark(head: bytes) -> str | None:
    """UTF-16 told from where its NUL bytes fall (ASCII markup leaves one in every other byte)."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


def _declared_label(head: bytes) -> str | None:
    m = _DECLARED.search(head)
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii")


def _codec(label: str) -> str | None:
    """A declared label → the Python codec that reads it as browsers do (None: unknown)."""
    name = label.strip().lower()
    if name in _GB_LABELS:
        return "gb18030"
    if name.startswith(("utf-16", "utf-32", "ucs-2", "unicode")) and name != "unicode-1-1-utf-8":
        return "utf-8"  # a page that could declare it in ASCII is not in UTF-16 (the HTML standard's rule)
    if name == "unicode-1-1-utf-8":
        return "utf-8"
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(codec, "_is_text_encoding", True):
        return None  # base64, rot13, …: not a character encoding
    return "utf-8" if codec.name == "utf-8" else ("gb18030" if codec.name in ("gbk", "gb2312") else codec.name)


def _decode(data: bytes, order: list[str], why: str, suffix: str,
            declared: str | None = None) -> tuple[str, list[str]]:
    for enc in order:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        notes = []
        if declared in _WEAK and enc != declared and not data.isascii():
            notes.append(f"the page declares {_name(declared)} but its bytes are {_name(enc)} text; "
                         f"read as {_name(enc)}")
        elif declared and declared not in _WEAK and enc != declared:
            notes.append(f"the page declares {_name(declared)} but its bytes are not valid {_name(declared)}; "
                         f"read as {_name(enc)}")
        elif declared is None and enc == "gb18030" and why == "no declaration":
            notes.append("no encoding declared: read as GB18030 (GBK/GB2312), its bytes are not UTF-8")
        return text, notes
    # None decodes cleanly: the one with fewest bad bytes, if they are few.
    bad = {enc: data.decode(enc, "replace").count("\ufffd") for enc in order}
    best = min(order, key=lambda e: bad[e])
    if bad[best] <= max(_TOLERATED_BAD_BYTES, int(len(data) * _TOLERATED_BAD_SHARE)):
        note = (f"{bad[best]} undecodable byte sequence(s) in {_name(best)} text ({why}) replaced by U+FFFD")
        return data.decode(best, "replace"), [note]
    tried = ", ".join(f"{_name(e)} ({bad[e]:,} undecodable)" for e in order)
    raise UnreadableDocument(
        f"the {suffix} file's text is in none of the encodings tried ({why}; tried {tried}): it is damaged or in "
        f"another encoding; {SAVE_AGAIN}"
    )


def _name(enc: str) -> str:
    return _NAMES.get(enc, enc.upper())


def _parse(text: str, suffix: str) -> tuple[Any, bool]:
    """The element tree, and whether libxml2 stopped at its nesting limit (MAX_DEPTH; it is kept: it
    also bounds the recursion of the walk)."""
    import lxml.etree
    import lxml.html  # imported here so other formats do not pay for it

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    # libxml2 drops whatever follows </html>; browsers show it (the HTML standard reads it into the body).
    text = _END_OF_PAGE.sub("", text)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
        return root, any("depth" in entry.message.lower() for entry in parser.error_log)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(f"not a readable HTML page ({type(exc).__name__}: {exc}); {SAVE_AGAIN}") from exc


# --------------------------------------------------------------------------- reading order


@dataclass(frozen=True)
class _Ctx:
    in_section: bool = False  # inside <article>/<section>/<main>: header and footer are content
    pre: bool = False  # inside <pre>/<textarea>: white space as written


_TOP = _Ctx()


class _Lines:
    """Text runs gathered into lines: spaces collapsed as a browser does, each line stripped."""

    __slots__ = ("done", "parts")

    def __init__(self) -> None:
        self.done: list[str] = []
        self.parts: list[str] = []

    def text(self, s: str, ctx: _Ctx) -> None:
        if ctx.pre:
            first, *rest = s.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self.parts.append(first)
            for line in rest:
                self.newline()
                self.parts.append(line)
        else:
            self.parts.append(_SPACES.sub(" ", s))

    def newline(self) -> None:
        line = _LINE_SPACES.sub(" ", "".join(self.parts)).strip()
        if line:
            self.done.append(line)
        self.parts = []

    def take(self) -> list[str]:
        self.newline()
        lines, self.done = self.done, []
        return lines


@dataclass
class _Flow:
    """The document: paragraphs and tables in reading order."""

    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lines: _Lines = field(default_factory=_Lines)
    tables: int = 0
    level: int | None = None  # the heading level (<h1> … <h6>) of the lines being gathered

    def text(self, s: str, ctx: _Ctx) -> None:
        self.lines.text(s, ctx)

    def newline(self) -> None:
        self.brk()  # outside tables each line is a paragraph

    def brk(self) -> None:
        for line in self.lines.take():
            if not _BREADCRUMB.match(line):
                self.blocks.append(_paragraph(line, self.level))

    def table(self, el: Any, ctx: _Ctx) -> None:
        self.brk()
        _read_table(el, self, ctx)
        self.brk()


class _CellText:
    """One cell: its lines, and the tables nested in it (read after the table, with their own grid)."""

    __slots__ = ("lines", "nested", "level")

    def __init__(self) -> None:
        self.lines = _Lines()
        self.nested: list[tuple[Any, _Ctx]] = []
        self.level: int | None = None  # unused: a heading in a cell is a line of the cell

    def text(self, s: str, ctx: _Ctx) -> None:
        self.lines.text(s, ctx)

    def newline(self) -> None:
        self.lines.newline()

    def brk(self) -> None:
        self.lines.newline()

    def table(self, el: Any, ctx: _Ctx) -> None:
        self.lines.newline()
        self.nested.append((el, ctx))


def _walk(el: Any, sink: Any, ctx: _Ctx) -> None:
    """The content of ``el`` (its text, its children, their tails) into ``sink``."""
    if el.text:
        sink.text(el.text, ctx)
    for child in el:
        if isinstance(child.tag, str):  # comments and processing instructions were removed by the parser
            _visit(child, sink, ctx)
        if child.tail:
            sink.text(child.tail, ctx)


def _visit(el: Any, sink: Any, ctx: _Ctx) -> None:
    tag = _tag(el)
    if _dropped(el, tag, ctx):
        return
    if tag == "br":
        sink.newline()
    elif tag == "table":
        sink.table(el, ctx)
    elif tag in ("input", "select", "textarea"):
        text = _control_text(el, tag)
        if text:
            sink.text(text, replace(ctx, pre=tag == "textarea"))
    elif tag in _BLOCK_TAGS:
        sub = _Ctx(in_section=ctx.in_section or tag in _SECTIONING, pre=ctx.pre or tag in _PRE_TAGS)
        sink.brk()
        outer = sink.level
        if tag in _HEADINGS:
            sink.level = int(tag[1])
        _walk(el, sink, sub)
        sink.brk()
        sink.level = outer
    else:
        _walk(el, sink, ctx)


# ``Paragraph.level`` (the heading level) is being added to the model alongside this reader; until it is
# there, headings are paragraphs without one.
_HAS_LEVEL = "level" in getattr(Paragraph, "__dataclass_fields__", {})


def _paragraph(text: str, level: int | None) -> Paragraph:
    return Paragraph(text, level=level) if _HAS_LEVEL and level is not None else Paragraph(text)


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _dropped(el: Any, tag: str, ctx: _Ctx) -> bool:
    if tag in _DROP_TAGS or el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if tag in _TABLE_PARTS and tag != "table":
        return False
    if tag in _PAGE_CHROME_TAGS and not ctx.in_section:
        return True
    if (el.get("role") or "").strip().lower() in _CHROME_ROLES:
        return True
    if tag not in _BLOCK_TAGS and tag != "table":
        return False  # a <span class="location"> holds a value, not a breadcrumb
    names = " ".join(filter(None, (el.get("class"), el.get("id")))).lower().split()
    if not names:
        return False
    parts = {p for name in names for p in re.split(r"[-_]+", name)}
    chrome = not ctx.in_section and (_CHROME_NAMES.intersection(names) or _CHROME_PARTS & parts)
    if _NAV_NAMES.intersection(names) or _NAV_PARTS & parts or chrome:
        return _reads_as_chrome(el) and not _holds_data_table(el)
    return False


def _reads_as_chrome(el: Any) -> bool:
    """Short, or made mostly of links: what menus, breadcrumbs and site headers and footers are (a
    wrapper named ``main-header`` around a whole report is neither)."""
    text = "".join(el.text_content().split())
    if len(text) <= MAX_CHROME_CHARS:
        return True
    links = sum(len("".join(a.text_content().split())) for a in el.iter("a"))
    return links * 2 >= len(text)


def _holds_data_table(el: Any) -> bool:
    """Whether ``el`` is or holds a table with merged cells or three rows of two cells or more."""
    tables = [el] if _tag(el) == "table" else []
    tables.extend(el.iter("table"))
    for table in tables:
        if table.xpath(".//*[self::td or self::th][@rowspan > 1 or @colspan > 1]"):
            return True
        if len(table.xpath(".//tr[count(td|th) >= 2]")) >= 3:
            return True
    return False


def _control_text(el: Any, tag: str) -> str:
    """What a form control shows: a checkbox ☑/☐, a text box its value, a list its chosen option."""
    if tag == "input":
        kind = (el.get("type") or "text").strip().lower()
        if kind in ("checkbox", "radio"):
            return "☑" if el.get("checked") is not None else "☐"
        if kind in ("text", "number", "date", "email", "tel", "url", "search", "month", "week", "time",
                    "datetime-local", ""):
            return el.get("value") or ""
        return ""
    if tag == "select":
        options = list(el.iter("option"))
        chosen = [o for o in options if o.get("selected") is not None] or options[:1]
        return "、".join(" ".join(o.text_content().split()) for o in chosen)
    return el.text_content()


# --------------------------------------------------------------------------- tables


def _read_table(el: Any, flow: _Flow, ctx: _Ctx) -> None:
    caption, groups, strays = _table_parts(el)
    for stray in strays:  # content misplaced inside the table: browsers show it before the table
        if isinstance(stray, str):
            flow.text(stray, ctx)
        else:
            _visit(stray, flow, ctx)
    flow.brk()
    if caption is not None:
        _walk(caption, flow, ctx)
        flow.brk()
    contents = [[(td, _cell_text(td, ctx)) for td in row] for group in groups for row in group]
    if _is_layout(contents):
        for row in contents:
            for td, _ in row:
                flow.brk()
                _walk(td, flow, ctx)
                flow.brk()
        return
    flow.tables += 1
    table, clamped = _grid(groups, contents)
    if clamped:
        flow.notes.append(f"table {flow.tables}: {len(clamped)} colspan value(s) up to {max(clamped):,} reach past "
                          f"{MAX_COLUMNS:,} columns (or the HTML limit of {MAX_COLSPAN:,}): clamped to them")
    flow.blocks.append(table)
    for row in contents:
        for _, cell in row:
            for nested, nested_ctx in cell.nested:
                flow.table(nested, nested_ctx)


def _table_parts(el: Any) -> tuple[Any, list[list[list[Any]]], list[Any]]:
    """(caption, row groups as shown — thead, the bodies, tfoot — each a list of rows of cells, strays)."""
    caption = None
    heads: list[list[list[Any]]] = []
    bodies: list[list[list[Any]]] = []
    foots: list[list[list[Any]]] = []
    strays: list[Any] = []
    loose: list[list[Any]] | None = None  # <tr> directly in <table>: one implicit body per run
    if el.text and el.text.strip():
        strays.append(el.text)
    for child in el:
        tag = _tag(child)
        if not tag or _dropped(child, tag, _TOP):
            pass
        elif tag == "tr":
            if loose is None:
                loose = []
                bodies.append(loose)
            loose.append(_row_cells(child, strays))
        elif tag in ("thead", "tbody", "tfoot"):
            loose = None
            rows = []
            for tr in child:
                sub = _tag(tr)
                if sub == "tr":
                    if not _dropped(tr, sub, _TOP):
                        rows.append(_row_cells(tr, strays))
                elif sub:
                    strays.append(tr)
            {"thead": heads, "tbody": bodies, "tfoot": foots}[tag].append(rows)
        elif tag == "caption" and caption is None:
            caption = child
        elif tag not in ("colgroup", "col"):
            strays.append(child)
        if child.tail and child.tail.strip():
            strays.append(child.tail)
    return caption, [g for g in (*heads, *bodies, *foots) if g], strays


def _row_cells(tr: Any, strays: list[Any]) -> list[Any]:
    cells = []
    for child in tr:
        tag = _tag(child)
        if tag in ("td", "th"):
            if not _dropped(child, tag, _TOP):
                cells.append(child)
        elif tag:
            strays.append(child)
    return cells


def _cell_text(td: Any, ctx: _Ctx) -> _CellText:
    cell = _CellText()
    if len(td) == 0 and not ctx.pre:  # text only (most cells of an export): no walk
        line = _LINE_SPACES.sub(" ", _SPACES.sub(" ", td.text or "")).strip()
        if line:
            cell.lines.done.append(line)
        return cell
    _walk(td, cell, ctx)
    cell.lines.newline()
    return cell


def _is_layout(rows: list[list[tuple[Any, _CellText]]]) -> bool:
    """A frame for the page's content rather than a table of data (see the module's docstring)."""
    filled = [cell for row in rows for _, cell in row if cell.lines.done or cell.nested]
    if len(filled) <= 1:
        return True
    if not any(cell.nested for cell in filled):
        return False
    grid_rows = sum(1 for row in rows if sum(1 for _, c in row if c.lines.done and not c.nested) >= 2)
    return grid_rows < 2


def _grid(groups: list[list[list[Any]]], contents: list[list[tuple[Any, _CellText]]]) -> tuple[Table, list[int]]:
    """The HTML table model: each cell at the first column its row leaves free, with its spans."""
    cells: list[Cell] = []
    clamped: list[int] = []
    covered: list[int] = []  # per column: the first row a rowspan from above no longer covers
    rows = iter(contents)
    r = 0
    for group in groups:
        group_end = r + len(group)
        for _ in group:
            c = 0
            for td, cell in next(rows):
                while c < len(covered) and covered[c] > r:
                    c += 1
                colspan = _span(td.get("colspan"), 1) or 1
                if colspan > 1 and (colspan > MAX_COLSPAN or c + colspan > MAX_COLUMNS):
                    clamped.append(colspan)
                    colspan = max(1, min(colspan, MAX_COLSPAN, MAX_COLUMNS - c))
                rowspan = min(_span(td.get("rowspan"), 1), MAX_ROWSPAN)
                rowspan = group_end - r if rowspan == 0 else min(rowspan, group_end - r)
                if len(covered) < c + colspan:
                    covered.extend([0] * (c + colspan - len(covered)))
                covered[c:c + colspan] = [r + rowspan] * colspan
                cells.append(Cell(text="\n".join(cell.lines.done), row=r, col=c, rowspan=rowspan, colspan=colspan))
                c += colspan
            r += 1
    return Table(cells=tuple(cells), n_rows=r, n_cols=len(covered)), clamped


def _span(value: str | None, default: int) -> int:
    """The HTML rules for a non-negative integer attribute: leading digits count (``2px`` → 2)."""
    if value is None:
        return default
    m = _NUMBER.match(value)
    return int(m.group(1)) if m else default

