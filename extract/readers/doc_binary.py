"""Word 97-2003 binary (.doc) reader in Python: the same ``Document`` the .docx reader gives, no LibreOffice.

The file is an OLE2 compound file (read with olefile) whose ``WordDocument`` stream starts with the
File Information Block (FIB, [MS-DOC] 2.5). From it, in order:

1. **FIB** → which table stream (``0Table``/``1Table``) holds the structures, the length of the main
   text (``ccpText``), where the piece table (``Clx``) and the paragraph / character property
   tables (``PlcBtePapx`` / ``PlcBteChpx``) are; an encrypted or XOR-obfuscated file stops here.
2. **Piece table** → the main text in character-position (CP) order: each piece is 8-bit cp1252
   ("compressed") or UTF-16LE (Chinese text always is), anywhere in the stream.
3. **Character runs** (CHPX FKPs) → text to leave out: deleted revisions (sprmCFRMarkDel), special
   characters (sprmCFSpec: pictures, footnote references) and symbol-font glyphs (sprmCSymbol, or
   U+F000-U+F0FF as LibreOffice writes them), which the .docx reader leaves out too (w:sym).
4. **Paragraph runs** (PAPX FKPs, or the ``Data`` stream for a huge PAPX) → for each paragraph mark:
   in a table or not and at which depth (sprmPFInTable, sprmPItap), whether it ends a row
   (sprmPFTtp, sprmPFInnerTtp), and for a row end the row's cell edges and merge flags
   (sprmTDefTable with its TC80s, sprmTVertMerge, sprmTMerge / sprmTSplit).
5. **Blocks** → paragraphs outside tables, and tables whose columns are the union of every row's
   cell edges: a cell wider than its neighbours gets a colspan, a vertically merged one a rowspan,
   as the .docx reader reports them (each merged cell once, from its top-left slot).

Fields (``\\x13`` code ``\\x14`` result ``\\x15``) keep their result only; other control characters
are dropped, a line break (``\\x0b``) and a page break inside a paragraph become ``\\n``, a tab stays.
Only the main text is read: headers and footers, footnotes, endnotes, comments and text boxes live
in other parts of the text stream and are left out (a note says when text boxes were).
Word 6/95 files (another FIB) are refused with a message, as are damaged ones.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from extract.readers.docx import MAX_GRID_COLUMNS
from extract.readers.limits import raise_if_out_of_memory
from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Paragraph, Table

SAVE_AGAIN = "open it in Word or LibreOffice and save it again as .docx"
WORD97_IDENT = 0xA5EC
WORD6_IDENT = 0xA5DC
MIN_WORD97_NFIB = 0xC1
FKP_SIZE = 512

# FIB flags (FibBase at offset 0x0A)
F_ENCRYPTED, F_WHICH_TBL_STM, F_OBFUSCATED = 0x0100, 0x0200, 0x8000
# Pairs (fc, lcb) of FibRgFcLcb97 by index
RG_BTE_CHPX, RG_BTE_PAPX, RG_CLX = 12, 13, 33

# Paragraph sprms
SPRM_P_IN_TABLE, SPRM_P_TTP, SPRM_P_ITAP, SPRM_P_DTAP = 0x2416, 0x2417, 0x6649, 0x664A
SPRM_P_INNER_CELL, SPRM_P_INNER_TTP, SPRM_P_HUGE_PAPX = 0x244B, 0x244C, 0x6646
# Table sprms
SPRM_T_DEF_TABLE, SPRM_T_DEF_TABLE10, SPRM_T_VERT_MERGE = 0xD608, 0xD606, 0xD62B
SPRM_T_MERGE, SPRM_T_SPLIT = 0x5624, 0x5625
SPRM_P_CHG_TABS = 0xC615
# Character sprms
SPRM_C_RMARK_DEL, SPRM_C_SPEC, SPRM_C_SYMBOL = 0x0800, 0x0855, 0x6A09
SPRM_C_BOLD = 0x0835  # sprmCFBold: 1 on, 0x81 the style's value negated (taken as on: headings are bold)
SPRM_P_JC80, SPRM_P_JC = 0x2403, 0x2461  # paragraph justification; 1 = centred

# Operand sizes by the sprm's spra (bits 13-15); 6 is variable.
_SPRA_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}

CELL_MARK, PARA_MARK, SECTION_MARK = "\x07", "\r", "\x0c"
FIELD_BEGIN, FIELD_SEP, FIELD_END = "\x13", "\x14", "\x15"
# Cell edges this close (twips, 1/1440 inch) are one grid line: 8283 and 8284 are rounding, not a column
# 1/1440 inch wide (LibreOffice reads them so too); 9 twips apart stay two lines, as in Word's own grid.
EDGE_TOLERANCE = 3
# Characters kept as something else: line break and page break → new line, tab kept.
_KEEP = {"\t": "\t", "\x0b": "\n", "\x0c": "\n"}
# A symbol-font glyph (Wingdings, Symbol) as LibreOffice writes it: U+F000-U+F0FF. Word writes the same as
# a special character (sprmCFSpec) and the .docx reader leaves w:sym out: left out here too.
SYMBOL_FONT_LO, SYMBOL_FONT_HI = "\uf000", "\uf0ff"


@dataclass(frozen=True)
class Fib:
    """What the reader needs from the File Information Block."""

    n_fib: int
    table_stream: str
    ccp_text: int
    ccp_txbx: int
    clx: tuple[int, int]
    bte_papx: tuple[int, int]
    bte_chpx: tuple[int, int]


@dataclass(frozen=True)
class Piece:
    """A stretch of text stored contiguously: CPs [cp_start, cp_end) from byte ``fc`` on."""

    cp_start: int
    cp_end: int
    fc: int
    compressed: bool
    grpprl: bytes = b""  # sprms of the piece's Prm, when it points into the Clx's grpprls

    @property
    def width(self) -> int:
        return 1 if self.compressed else 2

    def fc_of(self, cp: int) -> int:
        return self.fc + (cp - self.cp_start) * self.width


@dataclass(frozen=True)
class Tap:
    """A row's table properties: cell edges (twips, one more than the cells) and merge flags per cell."""

    edges: tuple[int, ...]
    horz: tuple[int, ...]  # 0 none, 1 first of a horizontal merge, 2/3 merged with the previous
    vert: tuple[int, ...]  # 0 none, 1 continues the cell above, 3 starts a vertical merge


@dataclass(frozen=True)
class Pap:
    """A paragraph's table facts from its PAPX."""

    depth: int = 0
    centred: bool = False
    row_end: bool = False  # a TTP mark at its depth (end of a table row)
    inner_cell: bool = False  # ends a cell of a nested table (depth > 1)
    tap: Tap | None = None


@dataclass(frozen=True)
class RawPara:
    """One paragraph of the main text: its visible text, the mark that ends it, its properties."""

    text: str
    mark: str
    pap: Pap
    bold: bool = False  # every visible character bold


@dataclass
class _Row:
    cells: list[str] = field(default_factory=list)
    tap: Tap | None = None


# --------------------------------------------------------------------------- entry point


def doc_binary_to_document(path: Path) -> Document:
    """A Word 97-2003 .doc file → ``Document`` with ``format="doc"``; UnreadableDocument when it cannot be."""
    word, table, data = _streams(path)
    try:
        fib = bytes_to_fib(word)
        if fib.table_stream not in table:
            raise UnreadableDocument(
                f"the Word .doc file has no {fib.table_stream} stream: it is damaged; {SAVE_AGAIN}")
        tbl = table[fib.table_stream]
        pieces = clx_to_pieces(_slice(tbl, *fib.clx), fib.ccp_text)
        text = pieces_to_text(word, pieces)
        hidden = chpx_to_hidden(word, _slice(tbl, *fib.bte_chpx), pieces, len(text))
        bold = chpx_to_hidden(word, _slice(tbl, *fib.bte_chpx), pieces, len(text), _bold)
        papx = bte_to_runs(word, _slice(tbl, *fib.bte_papx), _papx_in_fkp)
        paras = text_to_paragraphs(text, hidden, pieces, papx, data, bold)
        blocks, notes = paragraphs_to_blocks(paras)
    except (struct.error, IndexError, ValueError) as exc:
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(f"a damaged Word .doc file ({type(exc).__name__}: {exc}); {SAVE_AGAIN}") from exc
    if fib.ccp_txbx > 0:
        notes.append("the .doc has text boxes; their text was not read")
    return Document(blocks=tuple(blocks), format="doc", notes=tuple(notes))


def _streams(path: Path) -> tuple[bytes, dict[str, bytes], bytes]:
    """The WordDocument stream, the table streams present, the Data stream (b"" when absent)."""
    import olefile

    try:
        if not olefile.isOleFile(str(path)):
            raise UnreadableDocument(f"not an OLE2 (Word 97-2003) .doc file; {SAVE_AGAIN}")
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("WordDocument"):
                raise UnreadableDocument("an OLE2 (Office 97-2003) file without a WordDocument stream: not a Word .doc")
            word = ole.openstream("WordDocument").read()
            tables = {name: ole.openstream(name).read() for name in ("0Table", "1Table") if ole.exists(name)}
            data = ole.openstream("Data").read() if ole.exists("Data") else b""
    except UnreadableDocument:
        raise
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError… for damaged containers
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(
            f"a damaged OLE2 (Office 97-2003) file ({type(exc).__name__}: {exc}); {SAVE_AGAIN}") from exc
    return word, tables, data


def _slice(stream: bytes, fc: int, lcb: int) -> bytes:
    if lcb == 0:
        return b""
    if fc + lcb > len(stream):
        raise ValueError(f"structure at {fc}+{lcb} past the end of its {len(stream)}-byte stream")
    return stream[fc:fc + lcb]


# --------------------------------------------------------------------------- FIB


def bytes_to_fib(word: bytes) -> Fib:
    """Parse the FIB; UnreadableDocument for an encrypted, Word 6/95 or foreign stream."""
    if len(word) < 0x20:
        raise UnreadableDocument(f"the WordDocument stream is truncated ({len(word)} bytes); {SAVE_AGAIN}")
    ident, n_fib = struct.unpack_from("<HH", word, 0)
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    if ident == WORD6_IDENT or (ident == WORD97_IDENT and n_fib < MIN_WORD97_NFIB and n_fib != 0):
        raise UnreadableDocument(
            f"a Word 6/95 .doc file (nFib {n_fib:#x}): only Word 97-2003 files are read; {SAVE_AGAIN}")
    if ident != WORD97_IDENT:
        raise UnreadableDocument(f"the WordDocument stream has no Word header (wIdent {ident:#06x}); {SAVE_AGAIN}")
    if flags & (F_ENCRYPTED | F_OBFUSCATED):
        raise UnreadableDocument(
            "the Word .doc file is password-protected (encrypted); open it with the password in Word or "
            "LibreOffice and save it again without one, as .docx")
    pos = 0x20
    csw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + 2 * csw
    cslw = struct.unpack_from("<H", word, pos)[0]
    lw = pos + 2
    pos = lw + 4 * cslw
    n_pairs = struct.unpack_from("<H", word, pos)[0]
    rg = pos + 2
    if cslw < 11 or n_pairs <= RG_CLX:
        raise ValueError(f"FIB too short ({cslw} longs, {n_pairs} fc/lcb pairs)")

    def pair(index: int) -> tuple[int, int]:
        fc, lcb = struct.unpack_from("<II", word, rg + 8 * index)
        return fc, lcb

    ccp_text, ccp_txbx = (struct.unpack_from("<i", word, lw + 4 * i)[0] for i in (3, 9))
    return Fib(n_fib=n_fib, table_stream="1Table" if flags & F_WHICH_TBL_STM else "0Table",
               ccp_text=max(0, ccp_text), ccp_txbx=max(0, ccp_txbx),
               clx=pair(RG_CLX), bte_papx=pair(RG_BTE_PAPX), bte_chpx=pair(RG_BTE_CHPX))


# --------------------------------------------------------------------------- piece table and text


def clx_to_pieces(clx: bytes, ccp_text: int) -> list[Piece]:
    """The pieces of the main text (CPs below ``ccp_text``) from the Clx: Prc grpprls, then the PlcPcd."""
    grpprls: list[bytes] = []
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: clxt, cbGrpprl, grpprl
        size = struct.unpack_from("<h", clx, pos + 1)[0]
        if size < 0:
            raise ValueError("negative Prc size")
        grpprls.append(clx[pos + 3:pos + 3 + size])
        pos += 3 + size
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ValueError("no piece table (Pcdt) in the Clx")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + lcb]
    if len(plc) < lcb or (lcb - 4) % 12:
        raise ValueError("truncated piece table")
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}i", plc, 0)
    pieces: list[Piece] = []
    for i in range(n):
        start, end = cps[i], min(cps[i + 1], ccp_text)
        if start >= ccp_text:
            break
        if end <= start:
            continue
        _flags, fc_raw, prm = struct.unpack_from("<HIH", plc, 4 * (n + 1) + 8 * i)
        compressed = bool(fc_raw & 0x40000000)
        fc = (fc_raw & 0x3FFFFFFF) // 2 if compressed else fc_raw & 0x3FFFFFFF
        grpprl = grpprls[prm >> 1] if prm & 1 and (prm >> 1) < len(grpprls) else b""
        pieces.append(Piece(start, end, fc, compressed, grpprl))
    return pieces


def pieces_to_text(word: bytes, pieces: list[Piece]) -> str:
    """The main text in CP order (pieces must follow each other from CP 0)."""
    parts: list[str] = []
    for piece in pieces:
        raw = word[piece.fc:piece.fc_of(piece.cp_end)]
        if len(raw) < (piece.cp_end - piece.cp_start) * piece.width:
            raise ValueError(f"text piece at byte {piece.fc} runs past the WordDocument stream")
        parts.append(_decode_cp1252(raw) if piece.compressed else raw.decode("utf-16-le", "replace"))
    return "".join(parts)


def _decode_cp1252(raw: bytes) -> str:
    # cp1252 leaves five bytes undefined; [MS-DOC] keeps them as the same code points.
    return "".join(bytes([b]).decode("cp1252", "replace") if 0x80 <= b <= 0x9F else chr(b) for b in raw) \
        if any(0x80 <= b <= 0x9F for b in raw) else raw.decode("latin-1")


# --------------------------------------------------------------------------- FKPs and sprms


def bte_to_runs(word: bytes, plc: bytes,
                grpprl_at: Callable[[bytes, int, int], bytes]) -> list[tuple[int, int, bytes]]:
    """(fc_start, fc_end, grpprl) runs of every FKP a PlcBte (PAPX or CHPX) lists, sorted by fc."""
    if len(plc) < 4:
        return []
    n = (len(plc) - 4) // 8
    pns = struct.unpack_from(f"<{n}I", plc, 4 * (n + 1))
    runs: list[tuple[int, int, bytes]] = []
    for pn in dict.fromkeys(pns):  # an FKP listed twice is read once
        page = word[(pn & 0x3FFFFF) * FKP_SIZE:(pn & 0x3FFFFF) * FKP_SIZE + FKP_SIZE]
        if len(page) < FKP_SIZE:
            raise ValueError(f"FKP page {pn & 0x3FFFFF} past the end of the WordDocument stream")
        crun = page[FKP_SIZE - 1]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            runs.append((fcs[i], fcs[i + 1], grpprl_at(page, 4 * (crun + 1), i)))
    runs.sort(key=lambda r: r[0])
    return runs


def _papx_in_fkp(page: bytes, base: int, index: int) -> bytes:
    """A PAPX FKP entry: BxPap (13 bytes) → PapxInFkp → istd + grpprl; the grpprl (istd dropped)."""
    offset = page[base + 13 * index] * 2
    if offset == 0:
        return b""
    cb = page[offset]
    if cb == 0:
        size, start = 2 * page[offset + 1], offset + 2
    else:
        size, start = 2 * cb - 1, offset + 1
    return page[start + 2:start + size]


def _chpx_in_fkp(page: bytes, base: int, index: int) -> bytes:
    """A CHPX FKP entry: one byte word offset → Chpx (cb, grpprl)."""
    offset = page[base + index] * 2
    if offset == 0:
        return b""
    return page[offset + 1:offset + 1 + page[offset]]


def iter_sprms(grpprl: bytes) -> Iterator[tuple[int, bytes]]:
    """(sprm, operand) pairs of a grpprl; stops quietly at a truncated last one."""
    pos = 0
    while pos + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        size = _operand_size(sprm, grpprl, pos)
        if size is None or pos + size > len(grpprl):
            return
        yield sprm, grpprl[pos:pos + size]
        pos += size


def _operand_size(sprm: int, grpprl: bytes, pos: int) -> int | None:
    spra = sprm >> 13
    if spra != 6:
        return _SPRA_SIZE[spra]
    if sprm in (SPRM_T_DEF_TABLE, SPRM_T_DEF_TABLE10):  # 2-byte cb counting itself less one
        if pos + 2 > len(grpprl):
            return None
        return int(struct.unpack_from("<H", grpprl, pos)[0]) + 1
    if pos >= len(grpprl):
        return None
    cb = grpprl[pos]
    if sprm == SPRM_P_CHG_TABS and cb == 255:  # PChgTabsOperand: deletions with close tolerances, additions
        dels = grpprl[pos + 1] if pos + 1 < len(grpprl) else 0
        adds_at = pos + 2 + 4 * dels
        adds = grpprl[adds_at] if adds_at < len(grpprl) else 0
        return 2 + 4 * dels + 1 + 3 * adds
    return 1 + cb


# --------------------------------------------------------------------------- characters to leave out


def chpx_to_hidden(word: bytes, plc: bytes, pieces: list[Piece], n_chars: int,
                   test: Callable[[bytes], bool] | None = None) -> bytearray:
    """One byte per CP of the main text: 1 where the character is deleted (revision) or special (or,
    with another ``test`` of a run's sprms, where that holds: bold)."""
    test = test or _hides
    hidden = bytearray(n_chars)
    runs = [(s, e) for s, e, g in bte_to_runs(word, plc, _chpx_in_fkp) if test(g)]
    starts = [s for s, _ in runs]
    for piece in pieces:
        if piece.grpprl and test(piece.grpprl):
            hidden[piece.cp_start:piece.cp_end] = b"\x01" * (piece.cp_end - piece.cp_start)
            continue
        fc_end = piece.fc_of(piece.cp_end)
        i = max(0, bisect.bisect_right(starts, piece.fc) - 1)
        while i < len(runs) and runs[i][0] < fc_end:
            lo, hi = max(runs[i][0], piece.fc), min(runs[i][1], fc_end)
            if lo < hi:
                cp_lo = piece.cp_start + (lo - piece.fc) // piece.width
                cp_hi = piece.cp_start + (hi - piece.fc + piece.width - 1) // piece.width
                hidden[cp_lo:cp_hi] = b"\x01" * (cp_hi - cp_lo)
            i += 1
    return hidden


def _bold(grpprl: bytes) -> bool:
    return any(sprm == SPRM_C_BOLD and operand[:1] in (b"\x01", b"\x81") for sprm, operand in iter_sprms(grpprl))


def _hides(grpprl: bytes) -> bool:
    """Deleted, special (fSpec) or a symbol-font character (sprmCSymbol; the .docx reader leaves w:sym out)."""
    return any(sprm == SPRM_C_SYMBOL or (sprm in (SPRM_C_RMARK_DEL, SPRM_C_SPEC) and operand[:1] in (b"\x01", b"\x81"))
               for sprm, operand in iter_sprms(grpprl))


# --------------------------------------------------------------------------- paragraphs


def text_to_paragraphs(text: str, hidden: bytearray, pieces: list[Piece],
                       papx: list[tuple[int, int, bytes]], data: bytes, bold: bytearray | None = None) -> list[RawPara]:
    """Split the main text at paragraph and cell marks; each paragraph with its visible text and PAPX."""
    starts = [r[0] for r in papx]
    piece_starts = [p.cp_start for p in pieces]
    paras: list[RawPara] = []
    chars: list[str] = []
    all_bold = True
    fields: list[bool] = []  # one entry per open field: True while in its code, False in its result
    in_code = 0  # how many of them are in their code
    for cp, ch in enumerate(text):
        if ch == FIELD_BEGIN:
            fields.append(True)
            in_code += 1
        elif ch == FIELD_SEP:
            if fields and fields[-1]:
                fields[-1] = False
                in_code -= 1
        elif ch == FIELD_END:
            if fields and fields.pop():
                in_code -= 1
        elif ch in (PARA_MARK, CELL_MARK) or (ch == SECTION_MARK and _ends_run(cp, pieces, piece_starts, papx, starts)):
            grpprl = _papx_at(cp, pieces, piece_starts, papx, starts)
            paras.append(RawPara("".join(chars), ch, grpprl_to_pap(grpprl, data), all_bold and bool("".join(chars).strip())))
            chars, all_bold = [], True
        elif not hidden[cp] and not in_code and (ch >= " " or ch in _KEEP) \
                and not SYMBOL_FONT_LO <= ch <= SYMBOL_FONT_HI:
            chars.append(_KEEP.get(ch, ch))
            if ch.strip() and (bold is None or not bold[cp]):
                all_bold = False
    if "".join(chars).strip():
        paras.append(RawPara("".join(chars), PARA_MARK, Pap()))
    return paras


def _piece_of(cp: int, pieces: list[Piece], piece_starts: list[int]) -> Piece:
    return pieces[bisect.bisect_right(piece_starts, cp) - 1]


def _ends_run(cp: int, pieces: list[Piece], piece_starts: list[int],
              papx: list[tuple[int, int, bytes]], starts: list[int]) -> bool:
    """A section mark ends a paragraph where a PAPX run ends just after it (else it is a page break)."""
    piece = _piece_of(cp, pieces, piece_starts)
    after = piece.fc_of(cp + 1)
    i = bisect.bisect_right(starts, after - 1) - 1
    return i >= 0 and papx[i][1] == after


def _papx_at(cp: int, pieces: list[Piece], piece_starts: list[int],
             papx: list[tuple[int, int, bytes]], starts: list[int]) -> bytes:
    """The grpprl of the paragraph whose mark is at ``cp``: its FKP run, then the piece's own sprms."""
    piece = _piece_of(cp, pieces, piece_starts)
    fc = piece.fc_of(cp)
    i = bisect.bisect_right(starts, fc) - 1
    grpprl = papx[i][2] if i >= 0 and fc < papx[i][1] else b""
    return grpprl + piece.grpprl


def grpprl_to_pap(grpprl: bytes, data: bytes) -> Pap:
    """Table depth, row and cell ends, and a row end's TAP, from a paragraph's sprms."""
    in_table = row_end = inner_cell = inner_ttp = centred = False
    itap: int | None = None
    tap = _TapBuilder()
    for sprm, operand in iter_sprms(grpprl):
        if sprm == SPRM_P_HUGE_PAPX:  # the real grpprl is in the Data stream: PapxInData (cb, grpprl)
            offset = struct.unpack_from("<I", operand)[0]
            size = struct.unpack_from("<H", data, offset)[0]
            return grpprl_to_pap(data[offset + 2:offset + 2 + size], b"")
        if sprm == SPRM_P_IN_TABLE:
            in_table = operand[0] != 0
        elif sprm == SPRM_P_TTP:
            row_end = operand[0] != 0
        elif sprm == SPRM_P_ITAP:
            itap = struct.unpack_from("<i", operand)[0]
        elif sprm == SPRM_P_DTAP:
            itap = (itap if itap is not None else int(in_table)) + struct.unpack_from("<i", operand)[0]
        elif sprm == SPRM_P_INNER_CELL:
            inner_cell = operand[0] != 0
        elif sprm == SPRM_P_INNER_TTP:
            inner_ttp = operand[0] != 0
        elif sprm in (SPRM_P_JC80, SPRM_P_JC):
            centred = operand[:1] == b"\x01"
        else:
            tap.apply(sprm, operand)
    depth = max(0, itap) if itap is not None else int(in_table)
    if depth == 0 and in_table:
        depth = 1
    if depth > 1:
        row_end = inner_ttp
    return Pap(depth=depth, centred=centred, row_end=row_end, inner_cell=inner_cell,
               tap=tap.build() if row_end else None)


class _TapBuilder:
    """Collects the TAP sprms of a row end: sprmTDefTable, then merges that change it."""

    def __init__(self) -> None:
        self.edges: list[int] = []
        self.horz: list[int] = []
        self.vert: list[int] = []

    def apply(self, sprm: int, operand: bytes) -> None:
        if sprm in (SPRM_T_DEF_TABLE, SPRM_T_DEF_TABLE10):
            self.edges, self.horz, self.vert = _def_table(operand)
        elif sprm == SPRM_T_VERT_MERGE and len(operand) >= 3:
            itc, merge = operand[1], operand[2]
            if itc < len(self.vert):
                self.vert[itc] = merge & 3
        elif sprm == SPRM_T_MERGE and len(operand) >= 2:
            first, lim = operand[0], min(operand[1], len(self.horz))
            for itc in range(first, lim):
                self.horz[itc] = 1 if itc == first else 2
        elif sprm == SPRM_T_SPLIT and len(operand) >= 2:
            for itc in range(operand[0], min(operand[1], len(self.horz))):
                self.horz[itc] = 0

    def build(self) -> Tap | None:
        if not self.edges:
            return None
        return Tap(tuple(self.edges), tuple(self.horz), tuple(self.vert))


def _def_table(operand: bytes) -> tuple[list[int], list[int], list[int]]:
    """TDefTableOperand: cb, NumberOfColumns, rgdxaCenter (n+1 edges), rgTc80 (up to n TC80s of 20 bytes)."""
    n = operand[2]
    edges = list(struct.unpack_from(f"<{n + 1}h", operand, 3))
    horz, vert = [0] * n, [0] * n
    base = 3 + 2 * (n + 1)
    for i in range(n):
        at = base + 20 * i
        if at + 2 > len(operand):
            break
        tcgrf = struct.unpack_from("<H", operand, at)[0]
        horz[i], vert[i] = tcgrf & 3, (tcgrf >> 5) & 3
    return edges, horz, vert


# --------------------------------------------------------------------------- blocks and tables


def paragraphs_to_blocks(paras: list[RawPara]) -> tuple[list[Block], list[str]]:
    """Paragraphs outside tables as ``Paragraph``s; runs of table paragraphs as ``Table``s; notes."""
    blocks: list[Block] = []
    notes: list[str] = []
    n_tables = 0
    rows: list[_Row] = []
    lines: list[str] = []  # the open cell's paragraphs (nested tables' included)
    row = _Row()

    def close_table() -> None:
        nonlocal rows, row, lines, n_tables
        if lines or row.cells:  # a row the file never closed
            if lines:
                row.cells.append(_cell_text(lines))
            rows.append(row)
        if rows:
            n_tables += 1
            table, note = rows_to_table(rows)
            if note:
                notes.append(f"table {n_tables}: {note}")
            if table.cells:
                blocks.append(table)
        rows, row, lines = [], _Row(), []

    for para in paras:
        pap = para.pap
        if pap.depth == 0:
            close_table()
            text = para.text.strip()
            if text:
                marked = len(text) <= 30 and not text.endswith(("。", "；", ";")) and (para.bold or pap.centred)
                blocks.append(Paragraph(text, marked=marked))
        elif pap.depth > 1:
            if not pap.row_end:  # an inner row end mark carries no text
                lines.append(para.text)
        elif pap.row_end:
            row.tap = pap.tap
            if lines:  # text before a row mark with no cell mark of its own
                row.cells.append(_cell_text(lines))
                lines = []
            rows.append(row)
            row = _Row()
        else:
            lines.append(para.text)
            if para.mark == CELL_MARK:
                row.cells.append(_cell_text(lines))
                lines = []
    close_table()
    return blocks, notes


def _cell_text(lines: list[str]) -> str:
    return "\n".join(line.strip() for line in lines).strip()


def rows_to_table(rows: list[_Row]) -> tuple[Table, str]:
    """Rows of cell texts and TAPs → a ``Table`` over the grid of every row's cell edges; and a note
    ("" when none) when those edges make more columns than a table can have (then read cell by cell)."""
    grid = _grid_edges([r.tap.edges for r in rows if r.tap is not None])
    note = ""
    if len(grid) - 1 > MAX_GRID_COLUMNS:
        note = (f"its rows' cell edges make {len(grid) - 1:,} columns, past the {MAX_GRID_COLUMNS:,} a table "
                "can have: cells placed one after another, merges not read")
        rows = [_Row(r.cells, None) for r in rows]
    cells: list[list] = []  # type: ignore[type-arg]  # [text, row, col, rowspan, colspan]
    open_vmerge: dict[int, list] = {}  # type: ignore[type-arg]  # grid column → cell a merge continues
    n_cols = 0
    for row_index, row in enumerate(rows):
        for text, col, span, vert in _row_slots(row, grid):
            if vert == 1 and col in open_vmerge:
                above = open_vmerge[col]
                above[3] = row_index - above[1] + 1
            else:
                cell = [text, row_index, col, 1, span]
                cells.append(cell)
                for c in range(col, col + span):
                    open_vmerge.pop(c, None)
                if vert == 3:
                    open_vmerge[col] = cell
            n_cols = max(n_cols, col + span)
    table = Table(cells=tuple(Cell(text=t, row=r, col=c, rowspan=rs, colspan=cs) for t, r, c, rs, cs in cells),
                  n_rows=len(rows), n_cols=n_cols)
    return table, note


def _grid_edges(all_edges: list[tuple[int, ...]]) -> list[int]:
    """The table's grid lines: every row's cell edges (twips), those within EDGE_TOLERANCE of a line taken as it."""
    grid: list[int] = []
    for x in sorted({x for edges in all_edges for x in edges}):
        if not grid or x - grid[-1] > EDGE_TOLERANCE:
            grid.append(x)
    return grid


def _row_slots(row: _Row, grid: list[int]) -> Iterator[tuple[str, int, int, int]]:
    """(text, grid column, colspan, vertical merge) per cell of a row, horizontal merges folded in."""
    tap = row.tap
    slots: list[list] = []  # type: ignore[type-arg]  # [text, col, span, vert]
    for i, text in enumerate(row.cells):
        if tap is None or i + 1 >= len(tap.edges):  # no edges for this cell: the next column
            col = slots[-1][1] + slots[-1][2] if slots else 0
            slots.append([text, col, 1, 0])
            continue
        left, right = _grid_index(grid, tap.edges[i]), _grid_index(grid, tap.edges[i + 1])
        if right < left:  # edges out of order (a right-to-left or damaged row)
            left, right = right, left
        horz = tap.horz[i] if i < len(tap.horz) else 0
        vert = tap.vert[i] if i < len(tap.vert) else 0
        if horz >= 2 and slots:  # merged with the previous cell: widen it (Word keeps the text in the first)
            prev = slots[-1]
            prev[2] = max(prev[2], right - prev[1])
            if text:
                prev[0] = f"{prev[0]}\n{text}" if prev[0] else text
            continue
        col = max(left, slots[-1][1] + slots[-1][2]) if slots else left
        slots.append([text, col, max(1, right - col), vert])
    for text, col, span, vert in slots:
        yield text, col, span, vert


def _grid_index(grid: list[int], x: int) -> int:
    """The grid line nearest ``x``."""
    i = bisect.bisect_left(grid, x)
    if i == len(grid) or (i > 0 and x - grid[i - 1] < grid[i] - x):
        i -= 1
    return max(0, i)
