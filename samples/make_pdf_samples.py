#!/usr/bin/env python3
"""Make PDF, scanned-PDF and Word 97 .doc samples from the Word samples, with their expected JSON.

Run from the repository root, after samples/make_samples.py:

    .venv/bin/python samples/make_pdf_samples.py

Needs LibreOffice (soffice), poppler-utils (pdftoppm, pdffonts), libcairo (comes with poppler-utils), the
fonts AR PL UMing CN, WenQuanYi Zen Hei and Noto Sans CJK SC, and in the venv pdfplumber, Pillow and
numpy (nothing extra installed).  Every docx edit is made on a copy in a temp folder; LibreOffice runs
with a private profile there.  Output is byte-identical from run to run on one machine (LibreOffice's
creation date, /ID and /DocChecksum are overwritten with fixed values; cairo and Pillow get fixed dates);
another LibreOffice version or font build may lay the pages out differently, which the checks below catch.

A PDF or .doc made from a Word sample must give the same record as that Word file: each expectation is
the source docx's samples/expected/<docx>.json with only source.path / source.format changed (no page
numbers).  Nothing in the reports' content is changed, only fonts, page size, column widths, borders,
spacing and a page footer, so no new hand-written expectation is needed.

The samples
-----------
suzhou-2020-egov-selfeval-truetype.pdf / suzhou-2020-egov-selfeval-cff.pdf
    The seed docx, all text in AR PL UMing CN (TrueType outlines) resp. Noto Sans CJK SC (OpenType/CFF
    outlines), A4, the docx's equal column grid.  Laid out by LibreOffice, then reprinted glyph by glyph
    through cairo (see reprint_with_cairo: LibreOffice 7.4 embeds only simple 8-bit subsets, TrueType as
    "TrueType" and CFF converted to "Type 1"), so that the fonts are CID-keyed as in Word/WPS PDFs:
    pdffonts gives CID TrueType (Identity-H) + a TrueType WinAnsi subset for Latin, resp. CID Type 0C
    (Identity-H) only.  Checked: same chars in the same order as the LibreOffice PDF, origins within
    0.05 pt, same ruling lines.  The UMing title is not bold (no bold face; cairo would need Type 3 for
    synthetic bold).
suzhou-2019-water-supply-rows-split-across-pages.pdf
    The water-supply docx in WenQuanYi Zen Hei, narrow 指标名称 column (WIDTHS_SPLIT), space before the form
    title, and a footer 第 N 页 共 M 页.  LibreOffice PDF as is (simple TrueType subsets).  The indicator
    table runs over two page breaks and each cuts an indicator row; indicator_breaks() checks it and
    main() prints the cut rows.
suzhou-2021-public-bike-borderless.pdf
    The public-bike docx with no table borders at all (tblBorders none, tcBorders nil, also in the
    Table Grid style), Noto Sans CJK SC, other widths.  LibreOffice PDF as is: its CFF font is embedded as
    Type 1 (Builtin encoding).  No lines or rects in the PDF; pdfplumber finds no table.
suzhou-2022-school-meals-scanned.pdf
    The school-meals docx in AR PL UMing CN, other widths, LibreOffice PDF rasterised (pdftoppm -r 200
    -gray), each page rotated by a small angle (white fill), grey paper, noise and specks
    (numpy default_rng(2017)), one grayscale JPEG per page (Pillow).  No fonts, no text layer.
suzhou-2021-elderly-care-budget-faults.doc
    soffice --convert-to doc (MS Word 97) of the elderly-care docx, unchanged.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
EXPECTED_DIR = HERE / "expected"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# --------------------------------------------------------------------------
# docx post-processing (a copy in a temp folder; samples/ keeps only the originals)
# --------------------------------------------------------------------------
A4 = (11906, 16838)  # twips


class Docx:
    """The parts of a .docx we edit, as lxml trees; save() writes a new zip with fixed timestamps."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.styles = etree.fromstring(self.parts["word/styles.xml"])

    def save(self, path: Path):
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        self.parts["word/styles.xml"] = etree.tostring(self.styles, xml_declaration=True, encoding="UTF-8",
                                                       standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                zi = zipfile.ZipInfo(name, date_time=(2021, 3, 1, 9, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                z.writestr(zi, data)

    # ---- fonts
    def set_fonts(self, latin: str, east_asia: str):
        """Every rFonts (docDefaults, styles, runs): explicit names, theme fonts dropped."""
        for root in (self.styles, self.doc):
            for rf in root.iter(w("rFonts")):
                for a in list(rf.attrib):
                    del rf.attrib[a]
                rf.set(w("ascii"), latin)
                rf.set(w("hAnsi"), latin)
                rf.set(w("cs"), latin)
                rf.set(w("eastAsia"), east_asia)

    def set_base_size(self, half_points: int):
        """Font size of the Normal style (the title keeps its own run size)."""
        normal = self.styles.find("w:style[@w:styleId='Normal']", NS)
        rpr = normal.find("w:rPr", NS)
        for tag in ("sz", "szCs"):
            el = rpr.find(f"w:{tag}", NS)
            if el is None:
                el = etree.SubElement(rpr, w(tag))
            el.set(w("val"), str(half_points))

    # ---- page
    def set_page(self, size=A4, margins=None):
        sect = self.doc.find(".//w:body/w:sectPr", NS)
        pgsz = sect.find("w:pgSz", NS)
        pgsz.set(w("w"), str(size[0]))
        pgsz.set(w("h"), str(size[1]))
        if margins:
            mar = sect.find("w:pgMar", NS)
            for k, v in margins.items():
                mar.set(w(k), str(v))

    def text_width(self) -> int:
        sect = self.doc.find(".//w:body/w:sectPr", NS)
        mar = sect.find("w:pgMar", NS)
        return int(sect.find("w:pgSz", NS).get(w("w"))) - int(mar.get(w("left"))) - int(mar.get(w("right")))

    # ---- tables
    def tables(self):
        return self.doc.findall(".//w:body/w:tbl", NS)

    def set_grid(self, tbl, widths):
        """New column widths (twips): tblGrid, every tcW (summed over gridSpan), fixed layout."""
        grid = tbl.find("w:tblGrid", NS)
        cols = grid.findall("w:gridCol", NS)
        assert len(cols) == len(widths), (len(cols), widths)
        for c, v in zip(cols, widths):
            c.set(w("w"), str(v))
        tblpr = tbl.find("w:tblPr", NS)
        tblw = tblpr.find("w:tblW", NS)
        tblw.set(w("type"), "dxa")
        tblw.set(w("w"), str(sum(widths)))
        layout = tblpr.find("w:tblLayout", NS)
        if layout is None:
            layout = etree.SubElement(tblpr, w("tblLayout"))
            tblpr.remove(layout)
            tblpr.insert(list(tblpr).index(tblw) + 1, layout)
        layout.set(w("type"), "fixed")
        for tr in tbl.findall("w:tr", NS):
            c = 0
            for tc in tr.findall("w:tc", NS):
                tcpr = tc.find("w:tcPr", NS)
                span_el = tcpr.find("w:gridSpan", NS)
                span = int(span_el.get(w("val"))) if span_el is not None else 1
                tcpr.find("w:tcW", NS).set(w("w"), str(sum(widths[c:c + span])))
                tcpr.find("w:tcW", NS).set(w("type"), "dxa")
                c += span
            assert c == len(widths)

    def remove_borders(self):
        """No ruling lines at all: tblBorders none on every table (and in the Table Grid style), cell borders nil."""
        sides = ("top", "left", "bottom", "right", "insideH", "insideV")
        for tblpr in list(self.doc.iter(w("tblPr"))) + list(self.styles.iter(w("tblPr"))):
            old = tblpr.find("w:tblBorders", NS)
            if old is not None:
                tblpr.remove(old)
            b = etree.Element(w("tblBorders"))
            for s in sides:
                etree.SubElement(b, w(s)).set(w("val"), "none")
            # schema order: tblStyle, tblpPr, tblOverlap, bidiVisual, tblStyleRowBandSize, tblStyleColBandSize,
            # tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook
            after = [e for e in tblpr if etree.QName(e).localname in
                     ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                      "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd")]
            tblpr.insert(tblpr.index(after[-1]) + 1 if after else 0, b)
        for tcpr in self.doc.iter(w("tcPr")):
            old = tcpr.find("w:tcBorders", NS)
            if old is not None:
                tcpr.remove(old)
            b = etree.Element(w("tcBorders"))
            for s in ("top", "left", "bottom", "right"):
                etree.SubElement(b, w(s)).set(w("val"), "nil")
            # after tcW / gridSpan / vMerge
            after = [e for e in tcpr if etree.QName(e).localname in ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge")]
            tcpr.insert(tcpr.index(after[-1]) + 1 if after else 0, b)

    def space_before_first_table(self, twips: int):
        """Extra space above the form (spacing before the form-title paragraph) to move the page breaks."""
        p = self.doc.findall(".//w:body/w:p", NS)[1]
        ppr = p.find("w:pPr", NS)
        sp = ppr.find("w:spacing", NS)
        if sp is None:
            sp = etree.SubElement(ppr, w("spacing"))
        sp.set(w("before"), str(twips))

    def add_page_footer(self, text_before="第 ", text_between=" 页 共 ", text_after=" 页"):
        """A centred footer 第 N 页 共 M 页 (PAGE / NUMPAGES fields) on every page."""
        def run(t):
            return (f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>')

        def field(instr):
            return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                    f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
                    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                    '<w:r><w:t>1</w:t></w:r>'
                    '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               f'<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
               + run(text_before) + field("PAGE") + run(text_between) + field("NUMPAGES") + run(text_after)
               + "</w:p></w:ftr>")
        self.parts["word/footer1.xml"] = xml.encode("utf-8")
        rels_name = "word/_rels/document.xml.rels"
        rels = etree.fromstring(self.parts[rels_name])
        rid = "rIdFooterPdfSample"
        rel = etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship")
        rel.set("Id", rid)
        rel.set("Type", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer")
        rel.set("Target", "footer1.xml")
        self.parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        ct = etree.fromstring(self.parts["[Content_Types].xml"])
        ov = etree.SubElement(ct, "{http://schemas.openxmlformats.org/package/2006/content-types}Override")
        ov.set("PartName", "/word/footer1.xml")
        ov.set("ContentType", "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
        self.parts["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
        sect = self.doc.find(".//w:body/w:sectPr", NS)
        ref = etree.Element(w("footerReference"))
        ref.set(w("type"), "default")
        ref.set(f"{{{R}}}id", rid)
        sect.insert(0, ref)


# --------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------
def soffice_convert(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    if not out.exists():
        raise RuntimeError(f"soffice wrote no {out}")
    return out


# --------------------------------------------------------------------------
# Checks on the PDFs
# --------------------------------------------------------------------------
def squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def indicator_breaks(pdf_path: Path, names: list[str]):
    """For each page break inside the indicator table: (page, head, tail, full name or None).

    head = 指标名称 text of the last table row on the page, tail = that of the first table row on the next
    page when that row has nothing in the other cells (the rest of a row cut by the break); a row is split
    when head + tail is an indicator name and head alone is not.
    """
    import pdfplumber

    out = []
    with pdfplumber.open(pdf_path) as pdf:
        rows = []  # (page index, first row, last row) of the tables on each page
        for i, page in enumerate(pdf.pages):
            tables = page.find_tables()
            if tables:
                rows.append((i, tables[0].extract()[0], tables[-1].extract()[-1]))
        for (i, _, last), (j, first, _) in zip(rows, rows[1:]):
            if j != i + 1 or len(last) != 7 or len(first) != 7:
                continue
            head = squash(last[2])
            if not any(n.startswith(head) for n in names) or not head:
                continue  # not an indicator row (header block, 合计, narrative table)
            rest_empty = not any(squash(c) for c in first[3:])
            tail = squash(first[2]) if rest_empty else ""
            full = head + tail if tail and head + tail in names and head not in names else None
            out.append((i + 1, head, tail, full))
    return out


# --------------------------------------------------------------------------
# Reprint through cairo: LibreOffice 7.4 embeds every font as a simple (8-bit) subset, TrueType as
# "TrueType" and CFF converted to "Type 1".  Word / WPS PDFs carry CID-keyed fonts (Type 0, Identity-H),
# so the font-variant pair is drawn again, glyph by glyph at the positions LibreOffice laid out, through
# cairo's PDF surface, which embeds a TrueType font as "CID TrueType" and an OpenType/CFF font as
# "CID Type 0C".  libcairo.so.2 (installed with poppler-utils) is called through ctypes.
# --------------------------------------------------------------------------
def _cairo():
    import ctypes
    import ctypes.util

    lib = ctypes.CDLL(ctypes.util.find_library("cairo") or "libcairo.so.2")
    vp, d, i, s = ctypes.c_void_p, ctypes.c_double, ctypes.c_int, ctypes.c_char_p
    sig = {
        "cairo_pdf_surface_create": (vp, [s, d, d]),
        "cairo_pdf_surface_set_size": (None, [vp, d, d]),
        "cairo_pdf_surface_set_metadata": (None, [vp, i, s]),
        "cairo_create": (vp, [vp]),
        "cairo_destroy": (None, [vp]),
        "cairo_surface_finish": (None, [vp]),
        "cairo_surface_destroy": (None, [vp]),
        "cairo_surface_status": (i, [vp]),
        "cairo_status": (i, [vp]),
        "cairo_show_page": (None, [vp]),
        "cairo_select_font_face": (None, [vp, s, i, i]),
        "cairo_set_font_size": (None, [vp, d]),
        "cairo_move_to": (None, [vp, d, d]),
        "cairo_line_to": (None, [vp, d, d]),
        "cairo_curve_to": (None, [vp, d, d, d, d, d, d]),
        "cairo_close_path": (None, [vp]),
        "cairo_new_path": (None, [vp]),
        "cairo_show_text": (None, [vp, s]),
        "cairo_set_line_width": (None, [vp, d]),
        "cairo_set_source_rgb": (None, [vp, d, d, d]),
        "cairo_stroke": (None, [vp]),
        "cairo_fill_preserve": (None, [vp]),
        "cairo_fill": (None, [vp]),
        "cairo_get_scaled_font": (vp, [vp]),
        "cairo_scaled_font_text_to_glyphs": (i, [vp, d, d, s, i, ctypes.POINTER(vp), ctypes.POINTER(i),
                                                 vp, vp, vp]),
        "cairo_glyph_free": (None, [vp]),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    return lib


def _rgb(color):
    if color is None:
        return (0.0, 0.0, 0.0)
    if isinstance(color, (int, float)):
        return (float(color),) * 3
    color = tuple(color)
    if len(color) == 1:
        return (float(color[0]),) * 3
    if len(color) == 3:
        return tuple(float(c) for c in color)
    if len(color) == 4:  # CMYK
        c, m, y, k = color
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return (0.0, 0.0, 0.0)


def reprint_with_cairo(src_pdf: Path, dst_pdf: Path, family: str, *, bold_family_has_bold: bool, title: str):
    """Draw every char and path of src_pdf again with cairo, in `family` (regular, or bold where the
    source font name says Bold and the family has a real bold face; synthetic bold would make cairo
    fall back to Type 3 glyphs)."""
    import ctypes

    import pdfplumber

    c = _cairo()
    surface = None

    class Glyph(ctypes.Structure):
        _fields_ = [("index", ctypes.c_ulong), ("x", ctypes.c_double), ("y", ctypes.c_double)]

    class Cluster(ctypes.Structure):
        _fields_ = [("num_bytes", ctypes.c_int), ("num_glyphs", ctypes.c_int)]

    c.cairo_show_text_glyphs.restype = None
    c.cairo_show_text_glyphs.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(Glyph),
                                         ctypes.c_int, ctypes.POINTER(Cluster), ctypes.c_int, ctypes.c_int]
    cache = {}

    def glyph_index(cr, key, text):
        """The glyph of one char in the current font (the toy font API does no fallback: 0 = missing)."""
        if key not in cache:
            glyphs, n = ctypes.c_void_p(), ctypes.c_int()
            c.cairo_scaled_font_text_to_glyphs(c.cairo_get_scaled_font(cr), 0, 0, text, len(text),
                                               ctypes.byref(glyphs), ctypes.byref(n), None, None, None)
            cache[key] = ctypes.cast(glyphs, ctypes.POINTER(ctypes.c_ulong))[0] if n.value == 1 else 0
            c.cairo_glyph_free(glyphs)
        return cache[key]
    with pdfplumber.open(src_pdf) as pdf:
        for page in pdf.pages:
            w_, h_ = float(page.width), float(page.height)
            if surface is None:
                surface = c.cairo_pdf_surface_create(str(dst_pdf).encode(), w_, h_)
                for key, value in ((0, title), (1, "jixiao samples"), (4, "Writer"),
                                   (5, "2021-03-01T09:00:00"), (6, "2021-03-01T09:00:00")):
                    c.cairo_pdf_surface_set_metadata(surface, key, value.encode())
                cr = c.cairo_create(surface)
            c.cairo_pdf_surface_set_size(surface, w_, h_)
            # paths first (LibreOffice draws the cell borders before the cell text)
            for obj in page.lines + page.rects + page.curves:
                c.cairo_new_path(cr)
                for op in obj["path"]:
                    if op[0] == "m":
                        c.cairo_move_to(cr, *op[1])
                    elif op[0] == "l":
                        c.cairo_line_to(cr, *op[1])
                    elif op[0] == "c":
                        c.cairo_curve_to(cr, *op[1], *op[2], *op[3])
                    elif op[0] == "h":
                        c.cairo_close_path(cr)
                if obj.get("fill"):
                    c.cairo_set_source_rgb(cr, *_rgb(obj.get("non_stroking_color")))
                    (c.cairo_fill_preserve if obj.get("stroke") else c.cairo_fill)(cr)
                if obj.get("stroke"):
                    c.cairo_set_source_rgb(cr, *_rgb(obj.get("stroking_color")))
                    c.cairo_set_line_width(cr, float(obj.get("linewidth") or 1.0))
                    c.cairo_stroke(cr)
                c.cairo_new_path(cr)
            # text: one cairo_show_text_glyphs per run of chars on one baseline in one font (a lone space
            # drawn on its own would be dropped by cairo as an operation without ink)
            runs = []
            for ch in page.chars:
                a, b, cc, d, e, f = ch["matrix"]
                assert (b, cc) == (0, 0) and a > 0 and d > 0, ch["matrix"]  # upright text only
                # LibreOffice spreads one font over several 8-bit subsets (a space often sits in another
                # subset than its neighbours), so the run key is the drawn style, not the subset name
                key = (bold_family_has_bold and "Bold" in ch["fontname"], round(float(ch["size"]), 3),
                       round(float(f), 3), _rgb(ch.get("non_stroking_color")))
                if runs and runs[-1][0] == key:
                    runs[-1][1].append(ch)
                else:
                    runs.append((key, [ch]))
            for (bold, size, f, rgb), chars in runs:
                c.cairo_select_font_face(cr, family.encode(), 0, 1 if bold else 0)
                c.cairo_set_font_size(cr, size)
                glyphs = (Glyph * len(chars))()
                clusters = (Cluster * len(chars))()
                for k, ch in enumerate(chars):
                    text = ch["text"].encode("utf-8")
                    index = glyph_index(cr, (family, bold, ch["text"]), text)
                    if not index and ch["text"].strip():
                        raise RuntimeError(f"{family} has no glyph for {ch['text']!r}")
                    glyphs[k].index, glyphs[k].x, glyphs[k].y = index, float(ch["matrix"][4]), h_ - f
                    clusters[k].num_bytes, clusters[k].num_glyphs = len(text), 1
                utf8 = "".join(ch["text"] for ch in chars).encode("utf-8")
                c.cairo_set_source_rgb(cr, *rgb)
                c.cairo_show_text_glyphs(cr, utf8, len(utf8), glyphs, len(chars), clusters, len(chars), 0)
            c.cairo_show_page(cr)
    assert c.cairo_status(cr) == 0, c.cairo_status(cr)
    c.cairo_destroy(cr)
    c.cairo_surface_finish(surface)
    status = c.cairo_surface_status(surface)
    c.cairo_surface_destroy(surface)
    assert status == 0, status


# --------------------------------------------------------------------------
# Determinism of LibreOffice PDFs: the creation date, /ID and /DocChecksum change on every run; they are
# overwritten in place with fixed values of the same length (the xref offsets stay valid).
# --------------------------------------------------------------------------
def fix_lo_pdf(path: Path):
    import hashlib

    data = path.read_bytes()
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20210301090000", data)
    trailer = data.rfind(b"trailer")
    digest = hashlib.md5(data[:trailer]).hexdigest().upper().encode()
    data = re.sub(rb"/ID \[ ?<([0-9A-F]+)>\s*<([0-9A-F]+)> ?\]",
                  lambda m: m.group(0).replace(m.group(1), digest[:len(m.group(1))])
                  .replace(m.group(2), digest[:len(m.group(2))]), data)
    data = re.sub(rb"/DocChecksum /([0-9A-F]+)", lambda m: b"/DocChecksum /" + digest[:len(m.group(1))], data)
    path.write_bytes(data)


# --------------------------------------------------------------------------
# Scan simulation
# --------------------------------------------------------------------------
def scan_pdf(src_pdf: Path, dst_pdf: Path, work: Path, *, dpi=200, angles=(0.6, -0.45, 0.35, -0.6, 0.5),
             quality=55, seed=2017, noise=6.0, dust=0.00015):
    """Rasterise (pdftoppm -gray), rotate each page a little (white fill), add deterministic noise (sensor
    noise of standard deviation ``noise`` grey levels, a share ``dust`` of pixels dark specks), and write
    an image-only PDF (one grayscale JPEG per page, no text layer)."""
    import numpy as np
    from PIL import Image

    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(src_pdf), str(work / "page")], check=True)
    rng = np.random.default_rng(seed)
    pages = []
    for k, pgm in enumerate(sorted(work.glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))):
        im = Image.open(pgm).convert("L")
        im = im.rotate(angles[k % len(angles)], resample=Image.Resampling.BICUBIC, fillcolor=255)
        a = np.asarray(im, dtype=np.float32)
        a = a * 0.93 + 10                                   # paper a shade off white, toner not quite black
        a += rng.normal(0.0, noise, a.shape)                # sensor noise
        specks = rng.random(a.shape) < dust                 # dust
        a[specks] = rng.uniform(40, 140, int(specks.sum()))
        pages.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L"))
    fixed = _dt_fixed()
    pages[0].save(dst_pdf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi),
                  quality=quality, title="", author="", creator="scanner", producer="scanner",
                  creationDate=fixed, modDate=fixed)


def _dt_fixed():
    import time

    return time.strptime("2021-03-01 09:00:00", "%Y-%m-%d %H:%M:%S")  # Pillow writes a struct_time as D:…


# --------------------------------------------------------------------------
# The samples
# --------------------------------------------------------------------------
SEED = "suzhou-2020-egov-selfeval.docx"
WATER = "suzhou-2019-water-supply-score-faults.docx"
BIKE = "suzhou-2021-public-bike-appropriation-exec-rate.docx"
SCHOOL = "suzhou-2022-school-meals-reordered-layout.docx"
ELDERLY = "suzhou-2021-elderly-care-budget-faults.docx"

TRUETYPE_FAMILY = "AR PL UMing CN"      # uming.ttc, TrueType outlines (a Ming/Song face like 宋体)
CFF_FAMILY = "Noto Sans CJK SC"         # NotoSansCJK-*.ttc, OpenType/CFF outlines, real Bold face
SPLIT_FAMILY = "WenQuanYi Zen Hei"      # wqy-zenhei.ttc, TrueType outlines

# Column widths (twips) of the form table and of the narrative table; A4 with the docx margins
# (top/bottom 1440, left/right 1800 = Word's Chinese default) leaves 8306 twips.
WIDTHS_EQUAL = ([1186] * 7, [4153, 4153])                             # the docx's equal grid, scaled to A4
WIDTHS_SPLIT = ([1000, 1100, 1300, 1400, 900, 1400, 1000], [1800, 6506])  # narrow 指标名称 column
WIDTHS_BORDERLESS = ([1300, 1300, 2100, 1000, 700, 1000, 900], [2000, 6306])
WIDTHS_SCAN = ([1100, 1200, 1900, 1100, 800, 1200, 1000], [2200, 6106])

# Layouts tried in turn for the split sample (space before the form title, twips); the first that puts a
# cut indicator row at every page break inside the indicator table (at least two breaks) is kept.  With
# LibreOffice 7.4.7 and WenQuanYi Zen Hei the first one does.
SPLIT_LAYOUTS = [900, 840, 960, 780, 1020]

OUTPUTS = {
    "truetype": "suzhou-2020-egov-selfeval-truetype.pdf",
    "cff": "suzhou-2020-egov-selfeval-cff.pdf",
    "split": "suzhou-2019-water-supply-rows-split-across-pages.pdf",
    "borderless": "suzhou-2021-public-bike-borderless.pdf",
    "scanned": "suzhou-2022-school-meals-scanned.pdf",
    "doc": "suzhou-2021-elderly-care-budget-faults.doc",
}


def variant_docx(src: str, dst: Path, *, family: str, widths, base_size=None, borderless=False,
                 space_before=0, footer=False) -> Path:
    d = Docx(HERE / src)
    d.set_fonts(family, family)
    d.set_page(A4)
    if base_size:
        d.set_base_size(base_size)
    form, narrative = d.tables()[0], d.tables()[-1]
    assert len(d.tables()) == 2, src  # one form table + the narrative table (no split-table samples here)
    d.set_grid(form, widths[0])
    d.set_grid(narrative, widths[1])
    assert sum(widths[0]) <= d.text_width() and sum(widths[1]) <= d.text_width()
    if borderless:
        d.remove_borders()
    if space_before:
        d.space_before_first_table(space_before)
    if footer:
        d.add_page_footer()
    d.save(dst)
    return dst


def derived_expectation(src_docx: str, new_name: str, fmt: str):
    exp = json.loads((EXPECTED_DIR / f"{src_docx}.json").read_text(encoding="utf-8"))
    exp["source"] = {"path": new_name, "format": fmt}
    (EXPECTED_DIR / f"{new_name}.json").write_text(json.dumps(exp, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    return exp


def pdffonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def font_types(path: Path) -> set[str]:
    types = set()
    for line in pdffonts(path).splitlines()[2:]:
        m = re.match(r"\S+\s+(CID TrueType|CID Type 0C|CID Type 0|TrueType|Type 1C|Type 1|Type 3)\s", line)
        assert m, line
        types.add(m.group(1))
    return types


def same_text(a: Path, b: Path):
    """b was reprinted from a: the same chars in the same order, origins within 0.05 pt, same ruling lines."""
    import pdfplumber

    with pdfplumber.open(a) as pa, pdfplumber.open(b) as pb:
        assert len(pa.pages) == len(pb.pages)
        for x, y in zip(pa.pages, pb.pages):
            assert [c["text"] for c in x.chars] == [c["text"] for c in y.chars], x.page_number
            for cx, cy in zip(x.chars, y.chars):
                assert abs(cx["matrix"][4] - cy["matrix"][4]) < 0.05 and abs(cx["matrix"][5] - cy["matrix"][5]) < 0.05
            assert len(x.lines) == len(y.lines) and len(x.rects) == len(y.rects)


def text_check(path: Path, exp: dict, widths, *, tables: bool, left=1800, bottom=1440):
    """The 指标名称 column, read page after page (chars inside the column, above the bottom margin), holds
    every indicator name in order; ruling lines and tables are found, or none at all when borderless."""
    import unicodedata

    import pdfplumber

    x0 = (left + sum(widths[:2])) / 20 - 1
    x1 = (left + sum(widths[:3])) / 20 + 1
    column, n_tables, n_lines = "", 0, 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            inside = page.within_bbox((x0, 0, x1, float(page.height) - bottom / 20))
            column += "".join(c["text"] for c in inside.chars)
            n_tables += len(page.find_tables())
            n_lines += len(page.lines) + len(page.rects)
    column = unicodedata.normalize("NFKC", squash(column))
    pos = 0
    for ind in exp["indicators"]:
        at = column.find(ind["name"], pos)
        assert at >= 0, (path.name, ind["name"], column[pos:pos + 60])
        pos = at + len(ind["name"])
    if tables:
        assert n_tables >= 2 and n_lines > 0, (n_tables, n_lines)
    else:
        assert n_tables == 0 and n_lines == 0, (n_tables, n_lines)


def main():
    written = []
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-pdf-samples-"))
    profile = tmp / "lo-profile"  # a private LibreOffice profile: no clash with other soffice users
    try:
        # 1. the seed in a TrueType and in a CFF font ------------------------------------------------
        exp_seed = json.loads((EXPECTED_DIR / f"{SEED}.json").read_text(encoding="utf-8"))
        for key, family, bold in (("truetype", TRUETYPE_FAMILY, False), ("cff", CFF_FAMILY, True)):
            name = OUTPUTS[key]
            docx = variant_docx(SEED, tmp / (Path(name).stem + ".docx"), family=family, widths=WIDTHS_EQUAL)
            lo_pdf = soffice_convert(docx, "pdf", tmp / key, profile)
            reprint_with_cairo(lo_pdf, HERE / name, family, bold_family_has_bold=bold,
                               title="苏州市级财政支出项目绩效自我评价报告")
            same_text(lo_pdf, HERE / name)
            want = {"truetype": {"CID TrueType", "TrueType"}, "cff": {"CID Type 0C"}}[key]
            assert font_types(HERE / name) == want, (name, pdffonts(HERE / name))
            text_check(HERE / name, exp_seed, WIDTHS_EQUAL[0], tables=True)
            derived_expectation(SEED, name, "pdf")
            written += [name, f"expected/{name}.json"]

        # 2. rows cut by page breaks ---------------------------------------------------------------
        name = OUTPUTS["split"]
        exp_water = json.loads((EXPECTED_DIR / f"{WATER}.json").read_text(encoding="utf-8"))
        names = [i["name"] for i in exp_water["indicators"]]
        for space_before in SPLIT_LAYOUTS:
            docx = variant_docx(WATER, tmp / (Path(name).stem + ".docx"), family=SPLIT_FAMILY,
                                widths=WIDTHS_SPLIT, space_before=space_before, footer=True)
            lo_pdf = soffice_convert(docx, "pdf", tmp / "split", profile)
            breaks = indicator_breaks(lo_pdf, names)
            if len(breaks) >= 2 and all(b[3] for b in breaks):
                break
        else:
            raise RuntimeError(f"no layout cuts a row at every page break: {breaks}")
        fix_lo_pdf(lo_pdf)
        shutil.copyfile(lo_pdf, HERE / name)
        text_check(HERE / name, exp_water, WIDTHS_SPLIT[0], tables=True)
        derived_expectation(WATER, name, "pdf")
        written += [name, f"expected/{name}.json"]
        split_report = breaks

        # 3. no ruling lines -------------------------------------------------------------------
        name = OUTPUTS["borderless"]
        docx = variant_docx(BIKE, tmp / (Path(name).stem + ".docx"), family=CFF_FAMILY,
                            widths=WIDTHS_BORDERLESS, borderless=True)
        lo_pdf = soffice_convert(docx, "pdf", tmp / "borderless", profile)
        fix_lo_pdf(lo_pdf)
        shutil.copyfile(lo_pdf, HERE / name)
        exp_bike = derived_expectation(BIKE, name, "pdf")
        text_check(HERE / name, exp_bike, WIDTHS_BORDERLESS[0], tables=False)
        written += [name, f"expected/{name}.json"]

        # 4. a scan ----------------------------------------------------------------------------
        name = OUTPUTS["scanned"]
        docx = variant_docx(SCHOOL, tmp / "school.docx", family=TRUETYPE_FAMILY, widths=WIDTHS_SCAN)
        lo_pdf = soffice_convert(docx, "pdf", tmp / "scan", profile)
        scan_pdf(lo_pdf, HERE / name, tmp / "scan-pages")
        import pdfplumber

        with pdfplumber.open(HERE / name) as pdf:
            assert not any(p.chars for p in pdf.pages) and all(p.images for p in pdf.pages)
        assert len(pdffonts(HERE / name).splitlines()) == 2, pdffonts(HERE / name)  # header only: no fonts
        derived_expectation(SCHOOL, name, "pdf")
        written += [name, f"expected/{name}.json"]

        # 5. Word 97 .doc ------------------------------------------------------------------------
        name = OUTPUTS["doc"]
        doc = soffice_convert(HERE / ELDERLY, "doc", tmp / "doc", profile)
        shutil.copyfile(doc, HERE / name)
        derived_expectation(ELDERLY, name, "doc")
        written += [name, f"expected/{name}.json"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for w_ in written:
        print("wrote samples/" + w_)
    for page, head, tail, full in split_report:
        print(f"  {OUTPUTS['split']}: page {page}→{page + 1} cuts {full}: {head!r} | {tail!r}")


if __name__ == "__main__":
    main()
