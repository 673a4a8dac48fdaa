#!/usr/bin/env python3
"""How the copied-narrative search of issue 14 grows with the archive: a generated corpus of N reports'
sections (N = 1,000, 10,000, 100,000), some of them copied from an earlier report with small edits, run
through the same steps archive_to_findings takes (validate/archive_similar.py: keys and shingles, MinHash
signatures, LSH bands, candidate pairs, exact Jaccard, union-find, groups) on a SQLite store on disk.

    .venv/bin/python bench/patterns.py              # 1,000 / 10,000 / 100,000 reports
    .venv/bin/python bench/patterns.py 1000 5000    # other sizes

Each size runs in a fresh process (peak RSS is per process); printed is a markdown table of seconds (wall and
CPU: on a shared machine the wall clock also counts waiting), peak memory, CPU seconds per 1,000 texts (flat
when growth is linear) and how many of the planted copies were found
(a copied report counts as found when it is in a group with another report).
``main()`` returns the table's lines.
"""

from __future__ import annotations

import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
SECTIONS = ("存在问题", "建议")
COPY_SHARE = 0.05  # of reports whose sections are copied from an earlier report, with small edits

# The boilerplate of the generated texts: a section has one or two clauses made of these.
_SUBJECTS = ("部分项目", "个别单位", "项目实施单位", "基层站所", "资金使用单位", "乡镇卫生院", "农村学校", "养老服务机构",
             "配送企业", "施工单位", "监管部门", "主管部门", "村级组织", "服务机构", "社区", "合作社")
_PROBLEMS = ("资金拨付进度缓慢", "绩效目标设置不够细化", "项目前期论证不充分", "设备使用率不高", "台账资料不完整",
             "监管手段单一", "专业人员配备不足", "服务质量参差不齐", "运营成本持续上升", "信息共享不足",
             "群众知晓率不高", "后续管护机制不健全", "验收工作滞后", "采购周期较长", "数据统计口径不一",
             "宣传引导不到位", "考核结果运用不够", "项目储备不足", "配套资金落实困难", "档案管理不规范")
_ACTIONS = ("加快资金拨付", "细化绩效目标", "加强前期论证", "建立健全长效机制", "强化督导检查", "推进信息化建设",
            "加强业务培训", "完善考核办法", "优化资源配置", "落实管护责任", "加大宣传力度", "规范档案管理")


def _words(seed: int = 7, n: int = 4000) -> list[str]:
    """A vocabulary of n two- to four-character words (random CJK: each report's own wording)."""
    rng = random.Random(seed)
    return ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4))) for _ in range(n)]


WORDS = _words()


def clause(rng: random.Random) -> str:
    """The boilerplate every self-evaluation uses (a small set of phrases with figures)."""
    kind = rng.randrange(3)
    if kind == 0:
        return f"{rng.choice(_SUBJECTS)}{rng.choice(_PROBLEMS)}，{rng.randint(2, 60)}个点位存在类似情况"
    if kind == 1:
        return f"下一步将{rng.choice(_ACTIONS)}，力争{rng.randint(2020, 2025)}年底前{rng.choice(_ACTIONS)}"
    return f"{rng.choice(_SUBJECTS)}{rng.choice(_PROBLEMS)}，{rng.choice(_SUBJECTS)}{rng.choice(_PROBLEMS)}"


def text(rng: random.Random) -> str:
    """A section: one or two boilerplate clauses and two or three of the report's own (words of WORDS)."""
    own = ["".join(rng.choice(WORDS) for _ in range(rng.randint(6, 10))) for _ in range(rng.randint(2, 3))]
    parts = [clause(rng) for _ in range(rng.randint(1, 2))] + own
    rng.shuffle(parts)
    return "，".join(parts) + "。"


def edited(source: str, rng: random.Random) -> str:
    """A copy as units make them: the figures changed, maybe one character replaced."""
    out = "".join(str(rng.randint(0, 9)) if ch.isdigit() else ch for ch in source)
    if rng.random() < 0.5:
        i = rng.randrange(len(out))
        out = out[:i] + "该" + out[i + 1:]
    return out


def corpus(n: int, seed: int = 14, planted: set[str] | None = None) -> Iterator[tuple[str, str, str]]:
    """(source_path, section key, text) of n generated reports; a COPY_SHARE of them copy an earlier one
    (their paths added to ``planted``)."""
    rng = random.Random(seed)
    kept: list[dict[str, str]] = []  # a bounded reservoir of earlier reports to copy from
    for i in range(n):
        if kept and rng.random() < COPY_SHARE:
            sections = {key: edited(value, rng) for key, value in rng.choice(kept).items()}
            if planted is not None:
                planted.add(f"r{i:06d}.docx")
        else:
            sections = {key: text(rng) for key in SECTIONS}
        if len(kept) < 200:
            kept.append(sections)
        elif rng.random() < 0.01:
            kept[rng.randrange(len(kept))] = sections
        for key in SECTIONS:
            yield f"r{i:06d}.docx", key, sections[key]


def run_one(n: int) -> dict[str, float]:
    """The similarity steps over n generated reports' sections in a store on disk."""
    from validate.archive_similar import (ArchiveSettings, bands_to_pairs, groups, load_texts, pairs_to_groups,
                                          signatures_to_bands)

    settings = ArchiveSettings()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-patterns-") as tmp:
        conn = sqlite3.connect(str(Path(tmp) / "dataset.sqlite"))
        conn.execute("CREATE TABLE sections (source_path TEXT, section_index INTEGER, key TEXT, other INTEGER, "
                     "text TEXT)")
        planted: set[str] = set()
        conn.executemany("INSERT INTO sections VALUES (?, 0, ?, 0, ?)", corpus(n, planted=planted))
        conn.commit()
        start, cpu = time.perf_counter(), time.process_time()
        items = conn.execute("SELECT source_path, key, text FROM sections ORDER BY source_path, section_index")
        load_texts(conn, items, settings)
        signatures_to_bands(conn, settings)
        bands_to_pairs(conn, settings)
        pairs = conn.execute("SELECT COUNT(*) FROM _pairs").fetchone()[0]
        similar = pairs_to_groups(conn, settings)
        copied, found = 0, set()
        for _, members in groups(conn):
            paths = {p for p, _ in members}
            if len(paths) > 1:
                copied += 1
                found |= paths & planted
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        texts = conn.execute("SELECT COUNT(*) FROM _texts").fetchone()[0]
        conn.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"reports": n, "texts": texts, "seconds": seconds, "cpu": cpu, "peak_mb": peak, "pairs": pairs,
            "similar": similar, "groups": copied, "planted": len(planted), "found": len(found)}


def main(argv: list[str] | None = None) -> list[str]:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--one"]:
        print(json.dumps(run_one(int(args[1]))))
        return []
    sizes = [int(a) for a in args] or list(SIZES)
    lines = ["| reports | texts | seconds | CPU seconds | CPU s per 1,000 texts | peak RSS (MB) | candidate pairs | similar pairs | "
             "groups of copies | planted copies found |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True,
                              check=True)
        r = json.loads(done.stdout)
        lines.append(f"| {r['reports']:,} | {r['texts']:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
                     f"{1000 * r['cpu'] / max(1, r['texts']):.3f} | {r['peak_mb']:.0f} | {r['pairs']:,} | "
                     f"{r['similar']:,} | {r['groups']:,} | {r['found']:,} of {r['planted']:,} |")
        print(lines[-1] if len(lines) > 3 else "\n".join(lines), flush=True)
    return lines


if __name__ == "__main__":
    main()
