"""Imports flow one way: readers and forms (extract) → normalize → validate, all on the vocabulary
and text helpers in jixiao (model, text, segment, errors); no stage imports one after it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# stage → the packages it must never import
FORBIDDEN = {"extract": ("normalize", "validate"), "normalize": ("extract", "validate"), "validate": ("extract",)}
# jixiao's modules every stage may use; the rest of jixiao (pipeline, runner, writers, cli) sits above them all.
SHARED = {"jixiao", "jixiao.model", "jixiao.text", "jixiao.segment", "jixiao.errors"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_stages_import_only_what_comes_before_them(stage: str) -> None:
    bad = []
    for path in sorted((ROOT / stage).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[stage] or (top == "jixiao" and name not in SHARED):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_no_module_is_over_750_lines() -> None:
    long = [f"{p.relative_to(ROOT)}: {n}" for p in sorted(ROOT.glob("*/**/*.py"))
            if ".venv" not in p.parts and "samples" not in p.parts and "tests" not in p.parts
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > 750]
    assert long == []
