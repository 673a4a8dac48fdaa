#!/usr/bin/env python3
"""Build a corpus of N report files from the samples, for bulk-run tests and benchmarks.

    .venv/bin/python bench/make_corpus.py OUT_DIR [N] [--kinds pdf,docx,txt,doc,scan] [--broken K]

Files are the checked-in samples, copied round-robin into nested folders (some with spaces and
Chinese names); text reports get their project name changed so that their content differs;
K broken files (random bytes, empty, truncated PDF) are mixed in. Deterministic for a given N.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
KINDS = {
    "pdf": lambda p: p.suffix == ".pdf" and "scanned" not in p.name and "no-tounicode" not in p.name,  # text PDFs
    "scan": lambda p: p.suffix == ".pdf" and "scanned" in p.name,
    "docx": lambda p: p.suffix == ".docx" and not p.name.startswith("broken"),
    "doc": lambda p: p.suffix == ".doc",
    "txt": lambda p: p.suffix == ".txt",
}
FOLDERS = ("2018", "2019/水务", "2020/城市 管理", "2021", "2022/教育 局")


def build(out: Path, n: int, kinds: list[str], broken: int) -> list[Path]:
    sources = sorted(p for p in SAMPLES.iterdir() if any(KINDS[k](p) for k in kinds))
    if not sources:
        raise SystemExit(f"no samples of kinds {kinds} in {SAMPLES}")
    rng = random.Random(n)
    made: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n - broken):
        src = sources[i % len(sources)]
        folder = out / FOLDERS[i % len(FOLDERS)]
        folder.mkdir(parents=True, exist_ok=True)
        dst = folder / f"{i:04d}-{src.name}"
        if src.suffix == ".txt":
            text = src.read_text(encoding="utf-8").replace("电子政务项目建设资金", f"电子政务项目建设资金（第{i}批）")
            dst.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(src, dst)
        made.append(dst)
    a_pdf = next((p for p in sources if p.suffix == ".pdf"), None)
    for j in range(broken):
        kind = j % 3
        dst = out / "broken" / f"broken-{j:03d}.{'pdf' if kind != 1 else 'docx'}"
        dst.parent.mkdir(parents=True, exist_ok=True)
        if kind == 0:
            dst.write_bytes(bytes(rng.randrange(256) for _ in range(2048)))
        elif kind == 1:
            dst.write_bytes(b"")
        else:
            data = a_pdf.read_bytes() if a_pdf else b"%PDF-1.4\n"
            dst.write_bytes(data[: len(data) // 2])
        made.append(dst)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int, nargs="?", default=100)
    parser.add_argument("--kinds", default="pdf,docx,txt,doc,scan")
    parser.add_argument("--broken", type=int, default=3)
    args = parser.parse_args()
    made = build(args.out, args.n, args.kinds.split(","), args.broken)
    print(f"{len(made)} files in {args.out}")


if __name__ == "__main__":
    main()
