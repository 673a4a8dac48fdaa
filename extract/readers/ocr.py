"""Scanned pages → ``PageGeometry``: deskew, ruling lines (OpenCV), text boxes (RapidOCR).

The PDF reader calls ``pdf_pages_to_geometries`` for pages without a text layer; the result goes
through the same ``extract.readers.geometry`` chain as a born-digital page (coordinates in pixels of
the straightened page). Steps:

1. deskew (``extract.readers.ocr_skew``): the rotation of the scan is measured on its long ruling
   lines (Hough segments, each refined by a least-squares fit of its pixels) and undone;
2. ruling lines (``extract.readers.ocr_lines``): binarise, keep straight horizontal / vertical runs
   (morphological opening), sort out the runs that are strokes of text, turn each line into a
   ``Segment`` on its centre line;
3. text: each cell's ink (and the ink outside the tables) is cut into lines without a detector
   (``extract.readers.ocr_cells``); a page without tables goes to RapidOCR's detector; the recogniser
   reads each line's crop, the lines of a few pages at once (``pdf_pages_to_geometries``); one
   ``Glyph`` per line of text and cell.

OpenCV, numpy and RapidOCR are imported only when a scan is read.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from extract.readers.geometry import Glyph, PageGeometry, Segment
from extract.readers.ocr_lines import _merge_runs, _Run, detect_lines  # noqa: F401  (part of this module's API)
from extract.readers.ocr_skew import MAX_SKEW, deskew, estimate_skew, rotate  # noqa: F401  (part of this module's API)
from extract.readers.ocr_symbols import LONE_SIGNS, fix_symbols, lone_dash, lone_sign
from jixiao.errors import UnreadableDocument

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

INSTALL_HINT = "pip install rapidocr-onnxruntime"

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


# --------------------------------------------------------------------------- dependencies


def _cv() -> tuple[Any, Any]:
    try:
        import cv2
        import numpy
    except ImportError as exc:
        raise UnreadableDocument(
            f"this page is a scan and reading it needs OpenCV and numpy ({exc}); "
            f"install the OCR extra: {INSTALL_HINT}"
        ) from exc
    return cv2, numpy


def ocr_engine() -> Any:
    """The OCR engine, created once per process: RapidOCR as far as pages need it (``_Engine``)."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                from importlib.util import find_spec

                # Looked up, not imported: importing RapidOCR loads its detector's libraries too.
                if find_spec("rapidocr_onnxruntime") is None:
                    raise UnreadableDocument(
                        "this page is a scan (no text layer) and the OCR engine is not installed "
                        f"(no module named 'rapidocr_onnxruntime'); install it with: {INSTALL_HINT}"
                    )
                _ENGINE = _Engine()
    return _ENGINE


def start_engine() -> None:
    """Begin making the OCR engine on a thread of its own, so that loading the recogniser (~0.2 s:
    ONNX Runtime's import and the session) overlaps rendering and straightening the first page;
    ``ocr_engine()`` waits for it where the engine is first needed (its lock)."""
    if _ENGINE is not None:
        return
    try:
        # Imported here first: numpy's first import is not safe from two threads at once, and the
        # pages are rendered into numpy arrays while the engine's thread imports ONNX Runtime (which
        # imports numpy); the loser of the race failed with "partially initialized module".
        import numpy  # noqa: F401
    except ImportError:
        return  # no OCR extra: ``_cv`` says what to install where a page needs it

    def make() -> None:
        try:
            ocr_engine()
        except BaseException:  # noqa: BLE001 - ocr_engine() raises it again where the engine is needed
            pass

    threading.Thread(target=make, name="jixiao-ocr-engine", daemon=True).start()


def _rapidocr() -> Any:
    """RapidOCR whole (detector, direction classifier, recogniser), its sessions on one thread per call."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


class _Engine:
    """RapidOCR as far as a page needs it. ``text_rec``, its recogniser, is made at once; the rest of
    RapidOCR (its detector, for pages without tables) when first called, as ``RapidOCR()(image, ...)``.
    A page with tables needs no detector, and loading all three models took twice the time and
    memory of the recogniser's alone.

    The recogniser runs on the folded copy of its model where one can be made
    (``extract.readers.ocr_model``: ~20 % less time), one thread per call: ``recognise`` reads
    ``ocr_threads()`` lines at once instead (on small inputs that uses the cores far better than
    threads inside one call). ONNX Runtime's memory arena is on: without it each thread's malloc
    arena kept its own high-water mark (359 MB against 256 MB at two threads, national scan)."""

    def __init__(self) -> None:
        self._full: Any = None
        self.text_rec: Any = _recogniser()
        if self.text_rec is None:  # a RapidOCR of another shape: its own recogniser
            from extract.readers.ocr_model import use_fast_model

            self._full = _rapidocr()
            use_fast_model(self._full)
            self.text_rec = self._full.text_rec

    def __call__(self, image: Any, **kwargs: Any) -> Any:
        if self._full is None:
            with _ENGINE_LOCK:
                if self._full is None:
                    self._full = _rapidocr()
        return self._full(image, **kwargs)


@dataclass(frozen=True)
class _Recogniser:
    """What ``recognise`` takes from RapidOCR's ``TextRecognizer``: ``session(batch)`` → outputs, the
    CTC decoder ``postprocess_op`` and ``rec_image_shape`` (channels, height, width)."""

    session: Any
    postprocess_op: Any
    rec_image_shape: tuple[int, ...]


class _CTCDecode:
    """The recogniser's output (lines × columns × classes) → (text, confidence) per line, as RapidOCR's
    ``CTCLabelDecode`` gives them: the likeliest class of each column, repeats merged, blanks (class 0)
    dropped; the confidence is the mean probability of the characters kept (0.0 for none), taken in
    float64 as RapidOCR takes it. Its own decoder is not imported for this: importing anything of
    RapidOCR runs its package's ``__init__``, which loads the detector and its libraries (0.14 s,
    against the GIL of the thread rendering the first page)."""

    def __init__(self, characters: Sequence[str]) -> None:
        self.characters = ["blank", *characters, " "]  # RapidOCR's order: the blank first, a space last

    def __call__(self, preds: Any, *_: Any, **__: Any) -> list[tuple[str, float]]:
        _, np = _cv()
        out = []
        for index, prob in zip(preds.argmax(axis=2), preds.max(axis=2)):
            keep = np.ones(len(index), dtype=bool)
            keep[1:] = index[1:] != index[:-1]
            keep &= index != 0
            text = "".join(self.characters[i] for i in index[keep].tolist())
            out.append((text, float(np.mean(prob[keep].astype(np.float64))) if keep.any() else 0.0))
        return out


def _rec_config(text: str) -> dict[str, Any]:
    """``model_path`` and ``rec_img_shape`` of the ``Rec:`` block of RapidOCR's config.yaml, read off
    its lines (importing PyYAML for two plain values took 20 ms of the engine thread). Raises
    ``ValueError`` where the block does not look like that: RapidOCR's own recogniser then serves."""
    import re

    block = re.search(r"^Rec:[ \t]*\n((?:[ \t]+.*\n|[ \t]*\n)*)", text + "\n", re.MULTILINE)
    path = block and re.search(r"^[ \t]+model_path:[ \t]*(\S+)[ \t]*$", block.group(1), re.MULTILINE)
    shape = block and re.search(r"^[ \t]+rec_img_shape:[ \t]*\[([\d, ]+)\]", block.group(1), re.MULTILINE)
    if not (path and shape):
        raise ValueError("no Rec: model_path and rec_img_shape in RapidOCR's config.yaml")
    return {"model_path": path.group(1).strip("'\""), "rec_img_shape": [int(v) for v in shape.group(1).split(",")]}


def _recogniser() -> _Recogniser | None:
    """RapidOCR's recogniser as its configuration describes it, or None where that is not what this
    version of RapidOCR looks like."""
    try:
        from importlib.util import find_spec

        import onnxruntime as ort

        from extract.readers.ocr_model import made_model_path

        spec = find_spec("rapidocr_onnxruntime")
        root = Path(next(iter(spec.submodule_search_locations))).resolve()  # type: ignore[union-attr, arg-type]
        config = _rec_config((root / "config.yaml").read_text(encoding="utf-8"))
        model = root / config["model_path"]
        path = made_model_path(model) or model
        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(path), sess_options=options,
                                       providers=[("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})])
        character = session.get_modelmeta().custom_metadata_map["character"].splitlines()
        name = session.get_inputs()[0].name
        return _Recogniser(lambda batch: session.run(None, {name: batch}), _CTCDecode(character),
                           tuple(int(v) for v in config["rec_img_shape"]))
    except Exception as exc:  # noqa: BLE001 - RapidOCR's own recogniser serves
        import logging

        logging.getLogger(__name__).debug("recogniser not made from RapidOCR's configuration (%s)", exc)
        return None


_WORKERS: int | Callable[[], int] | None = None


def set_worker_count(workers: int | Callable[[], int]) -> None:
    """Tell the OCR how many worker processes share the machine: each then reads with its share of
    the cores (``ocr_threads``). A worker calls this once, before its first scan; given a function, the
    count is asked again for every few pages (a run's last long scan takes the cores the others have
    left)."""
    global _WORKERS
    _WORKERS = workers if callable(workers) else max(1, int(workers))


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def ocr_threads() -> int:
    """Lines recognised at once: ``JIXIAO_OCR_THREADS`` if set, else the cores shared out among the
    workers (``set_worker_count``; all cores when it was not called)."""
    threads = os.environ.get("JIXIAO_OCR_THREADS", "").strip()
    if threads.isdigit() and int(threads) > 0:
        return int(threads)
    workers = _WORKERS() if callable(_WORKERS) else _WORKERS
    return max(1, _cores() // max(1, workers or 1))


# --------------------------------------------------------------------------- images


RENDER_DPI = 200  # scans are rendered at this resolution for OCR


def pdf_page_images(path: Path | str, pages: Iterable[int] | None = None, dpi: int | None = None) -> list[Any]:
    """Render PDF pages (1-based numbers; all when ``pages`` is None) as grayscale numpy arrays
    (at ``RENDER_DPI`` unless ``dpi`` says otherwise)."""
    dpi = dpi or RENDER_DPI
    try:
        import pypdfium2
    except ImportError as exc:
        raise UnreadableDocument(f"rendering PDF pages needs pypdfium2 ({exc}); install it: pip install pypdfium2") from exc
    _, np = _cv()
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise UnreadableDocument(f"not a readable PDF ({exc}); open it in a PDF viewer and print it to a new PDF") from exc
    try:
        numbers = list(pages) if pages is not None else list(range(1, len(pdf) + 1))
        images = []
        for number in numbers:
            if not 1 <= number <= len(pdf):
                raise ValueError(f"page {number} out of range 1..{len(pdf)}")
            bitmap = pdf[number - 1].render(scale=dpi / 72, grayscale=True)
            # A copy: the bitmap's buffer is freed with the bitmap. Some builds give (h, w, 1).
            images.append(_to_gray(np.array(bitmap.to_numpy(), copy=True)))
        return images
    finally:
        pdf.close()


def _to_gray(image: Any) -> Any:
    """A uint8 grey image from a grey, BGR or BGRA array (or anything numpy can take)."""
    cv2, np = _cv()
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        code = cv2.COLOR_BGRA2GRAY if array.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        array = cv2.cvtColor(np.ascontiguousarray(array), code)
    if array.dtype != np.uint8:
        if array.dtype.kind == "f" and array.size and float(np.nanmax(array)) <= 1.0:
            array = array * 255.0  # a float image in 0..1
        array = np.clip(np.nan_to_num(array), 0, 255).astype(np.uint8)
    return array


def binarise(gray: Any) -> Any:
    """Ink as 255, paper as 0: darker than the local mean (a window of about two characters,
    so uneven lighting does not matter) by twice the grain of the scan."""
    cv2, _ = _cv()
    h, w = gray.shape[:2]
    block = max(15, (min(h, w) // 50) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block,
                                 _threshold_offset(gray))


def _threshold_offset(gray: Any) -> float:
    """Twice the grain of the page (the robust spread of pixels around their local mean), at
    least 8 and at most 30 grey levels: faint hairlines stay ink, scanner noise does not."""
    cv2, np = _cv()
    # In whole units of 1/225 grey level (the 15 × 15 window's sum against 225 times the pixel), so that
    # both medians come from counting (a histogram) instead of sorting: 0.6 of the time, and the value
    # as the float medians gave it within 1e-4 (only its whole part reaches adaptiveThreshold).
    sums = cv2.boxFilter(gray, cv2.CV_32S, (15, 15), normalize=False)
    deviation = gray[::3, ::3].astype(np.int32) * 225 - sums[::3, ::3]
    n = deviation.size
    middle = [(n - 1) // 2, n // 2]  # the two middle ones of an even count, the middle one twice of an odd
    twice_median = sum(_ranked(deviation + 57375, middle, np)) - 2 * 57375
    spread = np.abs(2 * deviation - twice_median)  # in units of 1/450 grey level
    grain = sum(_ranked(spread, middle, np)) / 2 / 450 * 1.4826
    return float(min(30.0, max(8.0, 2 * grain)))


def _ranked(values: Any, ranks: Sequence[int], np: Any) -> list[int]:
    """The values of non-negative integers at these ranks (0: the smallest) in sorted order, counted
    from their histogram instead of sorting them."""
    return [int(v) for v in np.searchsorted(np.cumsum(np.bincount(values.ravel())), [r + 1 for r in ranks])]


# Step 1, the page's skew and the page turned straight, is extract.readers.ocr_skew;
# step 2, the ruling lines, is extract.readers.ocr_lines.


# --------------------------------------------------------------------------- text


def image_to_geometry(image: Any, number: int) -> PageGeometry:
    """A scanned page (grayscale array, any resolution) → its ruling lines and text boxes,
    in the pixel coordinates of the straightened page."""
    return images_to_geometries([(number, image)])[0]


# Pages made ready at once (and read together): their images, crops and masks are held until their
# lines are recognised, about 20 MB a page at 200 dpi.
PAGES_AT_ONCE = 4


def pdf_pages_to_geometries(path: Path | str, numbers: Sequence[int]) -> list[PageGeometry]:
    """The scanned pages ``numbers`` of the PDF at ``path``, read ``PAGES_AT_ONCE`` at a time: rendered,
    made ready side by side, their lines recognised together."""
    out: list[PageGeometry] = []
    for at in range(0, len(numbers), PAGES_AT_ONCE):
        chunk = list(numbers[at:at + PAGES_AT_ONCE])
        out += images_to_geometries(list(zip(chunk, pdf_page_images(path, chunk))))
    return out


@dataclass
class _Ready:
    """A page made ready for the recogniser: its size, its ruling lines, the crops of its lines of text
    and the glyph box of each."""

    number: int
    width: float
    height: float
    segments: Sequence[Segment] = ()
    crops: Sequence[Any] = ()
    boxes: Sequence[tuple[float, float, float, float]] = ()
    joins: Sequence[bool] = ()  # does the crop go on from the one before it (one detector line, parted)?
    known: Sequence[str | None] = ()  # what a crop the recogniser does not read may be (—), its ink deciding


def images_to_geometries(pages: Sequence[tuple[int, Any]]) -> list[PageGeometry]:
    """Scanned pages (number, grayscale array) → their geometry. The pages are made ready (straightened,
    their lines and text found) on ``ocr_threads()`` threads, one page each, which keeps the cores busy
    in the steps that use one; then the lines of all of them go through the recogniser in one call."""
    threads = min(ocr_threads(), len(pages))
    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            ready = list(pool.map(lambda page: _make_ready(*page), pages))
    else:
        ready = [_make_ready(number, image) for number, image in pages]
    knowns = [list(page.known) or [None] * len(page.crops) for page in ready]
    crops = [crop for page, known in zip(ready, knowns) for crop, text in zip(page.crops, known) if text is None]
    read = iter(recognise(ocr_engine(), crops) if crops else [])
    out = []
    for page, known in zip(ready, knowns):
        # A crop not sent to the recogniser is read as its ``known`` text at no confidence: only its
        # ink (``_glyphs``, as for a lone sign) can keep it.
        reads = [(text, 0.0) if text is not None else next(read) for text in known]
        glyphs = _glyphs(page.crops, page.boxes, reads, page.joins)
        out.append(PageGeometry(number=page.number, width=page.width, height=page.height,
                                segments=tuple(page.segments), glyphs=tuple(glyphs)))
    return out


def _make_ready(number: int, image: Any) -> _Ready:
    gray = _to_gray(image)
    if gray.ndim != 2 or gray.shape[0] < 10 or gray.shape[1] < 10:
        raise UnreadableDocument(f"page {number}: not a page image (array of shape {getattr(image, 'shape', None)})")
    h, w = gray.shape[:2]
    if blank_page(gray):
        return _Ready(number, float(w), float(h))
    gray, _angle = deskew(gray)
    binary = binarise(gray)
    segments, line_ink = detect_lines(binary)
    crops, boxes, joins, known = text_crops(gray, binary, segments, line_ink)
    return _Ready(number, float(w), float(h), segments, crops, boxes, joins, known)


def blank_page(gray: Any) -> bool:
    """No ink at all: every pixel within the page's own grain of its paper (a blank page of a scan,
    the back of a sheet)."""
    _, np = _cv()
    small = gray[::4, ::4]
    paper = float(np.median(small))
    return bool(np.count_nonzero(small < paper - 60) < 0.0002 * small.size)


# Text detection (pages without tables only) runs on the page scaled so that its long side has this
# many pixels (an A4 page at about 140 dpi): PP-OCR's detector finds text as well there as at 200 dpi
# and takes a third of the time. Recognition always reads the full-resolution pixels.
DETECT_SIDE = 1600
MIN_SCORE = 0.5  # RapidOCR's own cut-off for a recognised line
PAD_ACROSS = 0.0  # paper added left and right of a detector's box for the recogniser, × box height
PAD_DOWN = 0.08  # … and above and below (measured best of 0–0.35 × 0–0.1 on six simulated scans)


def text_crops(gray: Any, binary: Any, segments: Sequence[Segment], line_ink: Any
               ) -> tuple[list[Any], list[tuple[float, float, float, float]], list[bool], list[str | None]]:
    """The lines of text of a straightened page: the crop the recogniser reads of each, its glyph box,
    whether it goes on from the crop before it (a detector's line parted at wide white,
    ``ocr_cells.split_at_gaps``: ``_glyphs`` joins the parts again where the white was a punctuation mark's),
    and what it may be where the ink alone decides it (— for a band too thin to read: the recogniser
    reads a thin bar as 1, I or 一; ``_glyphs`` keeps it only where its ink is a dash), else None.

    On a page with tables no detector runs: each cell's ink is cut into lines (and text outside
    the tables too) by ``extract.readers.ocr_cells``. A page without tables, or a band of ink that is
    no line of text, goes to RapidOCR's detector."""
    from extract.readers.ocr_cells import (drop_faint, drop_grain, inked_box, page_to_text_boxes, split_at_gaps,
                                           text_height, text_ink_parts)

    h, w = gray.shape[:2]
    ink, parts = text_ink_parts(binary, line_ink)
    unit = text_height(ink)
    ink = drop_grain(ink, unit, parts)
    pieces, tables = page_to_text_boxes(ink, segments, unit)
    pieces = drop_faint(pieces, gray, ink)
    crops: list[Any] = []
    kept: list[tuple[float, float, float, float]] = []
    joins: list[bool] = []
    known: list[str | None] = []
    regions = [(0, 0, w, h)] if not tables else [p.crop for p in pieces if p.detect]
    for piece in pieces:
        if not piece.detect:
            x0, y0, x1, y1 = piece.crop
            crops.append(_padded(gray[y0:y1, x0:x1], piece.pad))
            kept.append(piece.box)
            joins.append(False)
            known.append("—" if piece.dash else None)  # a dash if its ink says so; a scratch is dropped
    horizontals = [s for s in segments if s.horizontal]
    verticals = [s for s in segments if not s.horizontal]
    for x0, y0, x1, y1 in regions:
        for box in detect_text(ocr_engine(), gray[y0:y1, x0:x1]):
            box = (box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0)
            crop = _detected_crop(box, w, h, horizontals, verticals)
            for k, part in enumerate(split_at_gaps(crop, ink) if crop is not None else []):
                crops.append(gray[part[1]:part[3], part[0]:part[2]])
                kept.append(inked_box(part, ink))
                joins.append(k > 0)
                known.append(None)
    return crops, kept, joins, known


SPECKS = ".·,，、'`"  # what the recogniser makes of a speck of dust beside a sign
DASHES = frozenset("一—－―-")  # … and of a lone dash


def _glyphs(crops: Sequence[Any], boxes: Sequence[tuple[float, float, float, float]],
            read: Sequence[tuple[str, float]], joins: Sequence[bool] = ()) -> list[Glyph]:
    """One ``Glyph`` per line read with confidence, top to bottom; the parts of a detector's line
    (``joins``) that a punctuation mark's white parted are one glyph again."""
    from extract.readers.ocr_cells import ENDS_WITH_WHITE, STARTS_WITH_WHITE

    glyphs: list[Glyph] = []
    last: int | None = None  # the crop the last glyph was read from
    for i, (image, (xa, ya, xb, yb), (text, score)) in enumerate(zip(crops, boxes, read)):
        text = text.strip()
        # A lone sign (≥ ≤ =) or dash is decided by its ink, however unsure the recogniser was of it (or
        # whether it read anything, or read a speck beside it as a dot: 》.). A dash of a scan one or two
        # pixels thick reads as 一 at 0.4-0.5.
        bare = text.strip(SPECKS)
        sign = lone_sign(image) if not bare or bare in LONE_SIGNS else None
        if not sign and bare in DASHES:
            sign = lone_dash(image)
        text = sign or fix_symbols(text, image)
        if text and (score >= MIN_SCORE or sign):
            before = glyphs[-1] if glyphs and last == i - 1 and i < len(joins) and joins[i] else None
            if before and (before.text[-1] in ENDS_WITH_WHITE or text[0] in STARTS_WITH_WHITE):
                glyphs[-1] = Glyph(before.text + text, before.x0, min(before.top, ya), float(xb), max(before.bottom, yb))
            else:
                glyphs.append(Glyph(text, float(xa), float(ya), float(xb), float(yb)))
            last = i
    glyphs.sort(key=lambda g: (g.top, g.x0))
    return glyphs


def _padded(crop: Any, pad: tuple[int, int, int, int]) -> Any:
    """``crop`` with paper of its own shade added around it (top, bottom, left, right)."""
    cv2, np = _cv()
    if not any(pad):
        return crop
    paper = _percentile_75(crop, np) if crop.size else 255
    return cv2.copyMakeBorder(crop, *pad, cv2.BORDER_CONSTANT, value=paper)


def _percentile_75(crop: Any, np: Any) -> int:
    """``int(np.percentile(crop, 75))`` of a uint8 crop, from its histogram: the same value in a
    third of the time (it is taken for every line of a page)."""
    at = 0.75 * (crop.size - 1)
    low = int(at)
    lo, hi = _ranked(crop, [low, min(low + 1, crop.size - 1)], np)
    return int(lo + (at - low) * (hi - lo))


def _detected_crop(box: tuple[float, float, float, float], w: int, h: int, horizontals: Sequence[Segment],
                   verticals: Sequence[Segment]) -> tuple[int, int, int, int] | None:
    """The recogniser's crop of a detector's box: a little paper around the text helps with a
    leading = or ≥, but the crop never reaches a ruling line (it would read as 1 or |)."""
    xa, ya = max(0, int(box[0])), max(0, int(box[1]))
    xb, yb = min(w, int(math.ceil(box[2]))), min(h, int(math.ceil(box[3])))
    if xb - xa < 3 or yb - ya < 3:
        return None
    left, right = _between(((xa + xb) / 2, (ya + yb) / 2), verticals)
    top, bottom = _between(((ya + yb) / 2, (xa + xb) / 2), horizontals)
    across, down = PAD_ACROSS * (yb - ya), PAD_DOWN * (yb - ya)
    ca, cb = int(max(0, min(xa, max(xa - across, left + 4)))), int(min(w, max(xb, min(xb + across, right - 4))))
    ra, rb = int(max(0, min(ya, max(ya - down, top + 3)))), int(min(h, max(yb, min(yb + down, bottom - 3))))
    return ca, ra, cb, rb


def detect_text(engine: Any, gray: Any) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, top, x1, bottom) of the lines of text RapidOCR's detector finds, top to bottom."""
    cv2, np = _cv()
    scale = min(1.0, DETECT_SIDE / max(gray.shape[:2]))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    result, _ = engine(small, use_cls=False, use_rec=False)
    boxes = []
    for quad in result or []:
        pts = np.asarray(quad, dtype=np.float64) / scale
        boxes.append((float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())))
    boxes.sort(key=lambda b: (b[1], b[0]))
    return boxes


REC_MIN_WIDTH = 96  # narrowest input: a lone digit padded to two text heights (RapidOCR pads to 320; measured: rows as exact, a quarter less time)
REC_WIDTH_STEP = 8  # inputs are padded to a multiple of this (the recogniser's own stride along a line)
REC_BATCH_WIDTH = 1600  # lines of the same padded width go through the recogniser together up to this


def recognise(engine: Any, crops: Sequence[Any]) -> list[tuple[str, float]]:
    """Text and confidence of each crop (grayscale, one line of text).

    Each line is scaled to the recogniser's height and padded to a width of its own (at least
    ``REC_MIN_WIDTH``, rounded up to ``REC_WIDTH_STEP``); lines of the same padded width are read
    in small batches, ``ocr_threads()`` batches at once. The padding reaches the recogniser (its
    attention spans the whole input), so a line padded to the widest of a mixed batch read a
    little differently with other lines beside it: here what a line reads as depends on that line
    alone. Falls back to the engine's own batching if its internals are not what this version
    expects."""
    cv2, np = _cv()
    if not crops:
        return []
    rec = getattr(engine, "text_rec", None)
    session, decode = getattr(rec, "session", None), getattr(rec, "postprocess_op", None)
    shape = getattr(rec, "rec_image_shape", None)
    if session is None or decode is None or not shape:
        res, _ = engine.text_rec([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops])
        return [(str(r[0]), float(r[1])) for r in res]
    height = int(shape[1])
    ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
    padded = [-(-max(REC_MIN_WIDTH, math.ceil(height * r)) // REC_WIDTH_STEP) * REC_WIDTH_STEP for r in ratios]
    batches: list[list[int]] = []
    for i in sorted(range(len(crops)), key=lambda i: (padded[i], i)):
        if batches and padded[batches[-1][0]] == padded[i] and padded[i] * (len(batches[-1]) + 1) <= REC_BATCH_WIDTH:
            batches[-1].append(i)
        else:
            batches.append([i])

    def run(batch: list[int]) -> list[tuple[int, str, float]]:
        width = padded[batch[0]]
        tensor = np.zeros((len(batch), 3, height, width), dtype=np.float32)
        for k, i in enumerate(batch):
            own = max(1, int(math.ceil(height * ratios[i])))
            resized = cv2.resize(crops[i], (own, height)).astype(np.float32) / 127.5 - 1.0
            tensor[k, :, :, :own] = resized  # grey: the three channels are the same
        preds = session(tensor)[0]
        decoded = decode(preds, False, wh_ratio_list=[ratios[i] for i in batch], max_wh_ratio=width / height)
        return [(i, str(d[0]), float(d[1])) for i, d in zip(batch, decoded)]

    threads = min(ocr_threads(), len(batches))
    batches.sort(key=lambda b: -len(b) * padded[b[0]])  # the longest first: the threads end together
    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            results = [r for part in pool.map(run, batches) for r in part]
    else:
        results = [r for batch in batches for r in run(batch)]
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    for i, text, score in results:
        out[i] = (text, score)
    return out


def _between(point: tuple[float, float], lines: Sequence[Segment]) -> tuple[float, float]:
    """The nearest ruling lines on either side of ``point`` (along, across) that pass it:
    vertical lines left and right of (x, y), or horizontal ones above and below (y, x)."""
    at, cross = point
    before, after = -math.inf, math.inf
    for s in lines:
        pos, lo, hi = (s.top, s.x0, s.x1) if s.horizontal else (s.x0, s.top, s.bottom)
        if lo <= cross <= hi:
            if pos <= at:
                before = max(before, pos)
            else:
                after = min(after, pos)
    return before, after
