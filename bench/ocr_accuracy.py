"""How well jixiao reads scans it was not tuned on: scanned copies of the text-PDF samples.

Every text PDF in ``samples/`` (Word-made, with its expected record in ``samples/expected/``) is drawn
at 200 dpi and turned into an image-only PDF as a scanner would make it, twice: variant ``a`` as the
Suzhou scan sample (turned 0.6°/-0.45°/…, sensor noise σ 6, JPEG quality 55) and ``b`` as the national
one (turned -0.8°/0.55°/…, σ 9, more dust, quality 50). With the two scanned samples that makes 20
scans of 8 forms and layouts (tables over pages, a borderless table, a prose report, fonts without a
Unicode map). jixiao reads them all in one run, and each record is set against the expected record of
the sample it was made from: indicator rows exact (every field), fields exact, the header block
(``project``), and the narrative sections (mean similarity of their text, 1.0 = the same).

The scans are written once to ``bench/corpus/scans/`` (git-ignored) and made again when a sample
changes. A change to the OCR is measured on these before it is kept: the two scanned samples alone are
too few (a change can win rows on one and lose them on the other).

    .venv/bin/python bench/ocr_accuracy.py [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval import same  # numbers within eval's tolerance, anything else exactly

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SAMPLES = ROOT / "samples"
EXPECTED = SAMPLES / "expected"
SCANS = BENCH / "corpus" / "scans"
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
ROW_FIELDS = ("category", "category_points", "subcategory", "name", "target", "weight", "actual",
              "reported_score", "recomputed_score", "deviation_reason")
VARIANTS = {
    "a": dict(angles=(0.6, -0.45, 0.35, -0.6, 0.5), quality=55, seed=2017, noise=6.0, dust=0.00015),
    "b": dict(angles=(-0.8, 0.55, -0.3, 0.7), quality=50, seed=2021, noise=9.0, dust=0.0004),
}


def sources() -> list[Path]:
    """The text-PDF samples with an expected record (the scanned samples are scans already)."""
    return sorted(p for p in SAMPLES.glob("*.pdf") if "scanned" not in p.name and (EXPECTED / f"{p.name}.json").exists())


def make_scans(log=print) -> list[tuple[Path, str, Path]]:
    """The scanned copies (file, name to read it as, sample it was made from), made where missing or
    older than their sample (by the sample's digest)."""
    import numpy as np
    import pypdfium2
    from PIL import Image

    SCANS.mkdir(parents=True, exist_ok=True)
    made = []
    for src in sources():
        digest = hashlib.sha256(src.read_bytes()).hexdigest()[:12]
        wanted = {v: SCANS / f"{src.stem}-scan{v}-{digest}.pdf" for v in VARIANTS}
        made += [(path, f"{src.stem}-scan{v}.pdf", src) for v, path in wanted.items()]
        if all(p.exists() for p in wanted.values()):
            continue
        for old in SCANS.glob(f"{src.stem}-scan?-*.pdf"):
            old.unlink()
        doc = pypdfium2.PdfDocument(str(src))
        try:
            drawn = [np.asarray(doc[i].render(scale=200 / 72, grayscale=True).to_numpy()).squeeze()
                     for i in range(len(doc))]
        finally:
            doc.close()
        for v, o in VARIANTS.items():
            rng = np.random.default_rng(o["seed"])
            pages = []
            for k, page in enumerate(drawn):
                im = Image.fromarray(page.astype(np.uint8), "L").rotate(
                    o["angles"][k % len(o["angles"])], resample=Image.Resampling.BICUBIC, fillcolor=255)
                x = np.asarray(im, dtype=np.float32) * 0.93 + 10  # paper a shade off white, toner not quite black
                x += rng.normal(0.0, o["noise"], x.shape)  # sensor noise
                specks = rng.random(x.shape) < o["dust"]
                x[specks] = rng.uniform(40, 140, int(specks.sum()))
                pages.append(Image.fromarray(np.clip(x, 0, 255).astype(np.uint8), "L"))
            pages[0].save(wanted[v], "PDF", save_all=True, append_images=pages[1:], resolution=200.0,
                          quality=o["quality"])
        log(f"ocr accuracy: scanned {src.name} ({len(drawn)} pages) → {', '.join(p.name for p in wanted.values())}")
    return made


def _sections(record: dict) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in (record.get("sections") or {}).items()}


def score(expected: dict, got: dict) -> dict:
    """One record against the expected record of its sample."""
    want, have = expected["indicators"], got.get("indicators") or []
    pairs = list(zip(have, want))
    fields = [(f, same(g.get(f), e[f]), g.get(f), e[f]) for g, e in pairs for f in ROW_FIELDS if f in e]
    wrong = [(f, g, e) for f, ok, g, e in fields if not ok]
    texts, read = _sections(expected), _sections(got)
    similar = [difflib.SequenceMatcher(None, t, read.get(k, "")).ratio() for k, t in texts.items()] or [1.0]
    return {"rows": len(want), "found": len(have),
            "exact": sum(all(same(g.get(f), e[f]) for f in ROW_FIELDS if f in e) for g, e in pairs),
            "fields": sum(1 for e in want for f in ROW_FIELDS if f in e), "fields_exact": sum(ok for _, ok, _, _ in fields),
            "header": got.get("project") == expected.get("project"), "text": sum(similar) / len(similar),
            "status": got.get("status", "missing"), "wrong": wrong[:3]}


def run(jobs: int = 2, keep: Path | None = None, log=print) -> tuple[list[str], dict]:
    """Make the scans, read them with jixiao, and score each: Markdown lines and the totals."""
    scans = make_scans(log)
    inputs = Path(tempfile.mkdtemp(prefix="jixiao-ocr-in-"))
    out = keep or Path(tempfile.mkdtemp(prefix="jixiao-ocr-out-"))
    try:
        names = {}  # the name a scan is read as → the sample whose expected record it is scored against
        for path, name, source in [*scans, *((p, p.name, p) for p in sorted(SAMPLES.glob("*scanned*.pdf")))]:
            shutil.copy(path, inputs / name)
            names[name] = source.name
        env = dict(os.environ, OMP_NUM_THREADS="1")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        started = time.monotonic()
        subprocess.run([str(JIXIAO), "extract", str(inputs), "--out", str(out), "--force", "-q", "--jobs", str(jobs)],
                       env=env, capture_output=True, check=False)
        seconds = time.monotonic() - started
        lines = ["| scan | made from | rows exact | fields exact | header | sections' text | status | first wrong fields |",
                 "|---|---|---:|---:|:---:|---:|---|---|"]
        total = {"rows": 0, "exact": 0, "fields": 0, "fields_exact": 0, "headers": 0, "docs": 0, "text": 0.0}
        for name in sorted(names):
            source = names[name]
            expected = json.loads((EXPECTED / f"{source}.json").read_text(encoding="utf-8"))
            found = out / "json" / f"{name}.json"
            got = json.loads(found.read_text(encoding="utf-8")) if found.exists() else {}
            s = score(expected, got)
            wrong = "; ".join(f"{f}: {g!r} for {e!r}" for f, g, e in s["wrong"]) or ""
            lines.append(f"| `{name}` | {'(a scanned sample)' if name == source else f'`{source}`'} | "
                         f"{s['exact']}/{s['rows']} | {s['fields_exact']}/{s['fields']} | {'yes' if s['header'] else 'no'} | "
                         f"{s['text']:.3f} | {s['status']} | {wrong.replace('|', '/')} |")
            for key in ("rows", "exact", "fields", "fields_exact"):
                total[key] += s[key]
            total["headers"] += s["header"]
            total["docs"] += 1
            total["text"] += s["text"]
        total["text"] /= max(1, total["docs"])
        total["seconds"] = seconds
        lines.append(f"| **all {total['docs']}** | | **{total['exact']}/{total['rows']}** | "
                     f"**{total['fields_exact']}/{total['fields']}** | **{total['headers']}/{total['docs']}** | "
                     f"**{total['text']:.4f}** | | |")
        return lines, total
    finally:
        shutil.rmtree(inputs, ignore_errors=True)
        if keep is None:
            shutil.rmtree(out, ignore_errors=True)


def section(jobs: int, log=print) -> str:
    """The Markdown section ``make bench`` adds to its table."""
    lines, total = run(jobs, log=log)
    return ("\n\n## OCR on scans it was not tuned on (`bench/ocr_accuracy.py`)\n\n"
            f"The text-PDF samples scanned twice each (as the two scanned samples were made) and read in one run at "
            f"`--jobs {jobs}` ({total['seconds']:.0f} s), with the two scanned samples; each record against the "
            "expected record of its sample.\n\n" + "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, default=None, help="write jixiao's outputs here and keep them")
    args = parser.parse_args(argv)
    if not JIXIAO.exists():
        print(f"ocr accuracy: {JIXIAO} not found; run `make venv` first", file=sys.stderr)
        return 2
    lines, total = run(args.jobs, args.keep)
    print("\n".join(lines))
    print(f"\n{total['exact']}/{total['rows']} rows, {total['fields_exact']}/{total['fields']} fields, "
          f"{total['headers']}/{total['docs']} headers, text {total['text']:.4f}; {total['seconds']:.0f} s at --jobs {args.jobs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
