"""Legacy .doc reader: LibreOffice conversion, file-type sniffing, missing tool, timeouts.

Tests that run the real LibreOffice are marked slow and skip where it is not installed; the rest
use fake ``soffice`` programs (shell scripts) or need no program at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import extract
from extract.readers.doc import OLE2_MAGIC, doc_to_document, find_soffice, ole_streams
from extract.readers.docx import docx_to_document
from jixiao.errors import MissingSystemTool, UnreadableDocument
from jixiao.model import Table
from tests.conftest import EXPECTED, SAMPLES

ELDERLY = "suzhou-2021-elderly-care-budget-faults.docx"
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Arial;}} hello\\par}"


def _soffice() -> str | None:
    try:
        return find_soffice()
    except MissingSystemTool:
        return None


SOFFICE = _soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake soffice programs are shell scripts")


@pytest.fixture(autouse=True)
def _doc_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    # The .doc entry of READERS, whether or not extract/__init__.py has it yet.
    monkeypatch.setitem(extract.READERS, ".doc", ("extract.readers.doc", "doc_to_document"))
    monkeypatch.delenv("JIXIAO_SOFFICE", raising=False)
    monkeypatch.delenv("JIXIAO_SOFFICE_TIMEOUT", raising=False)


def _convert(src: Path, target: str, outdir: Path) -> Path:
    """Convert with the real LibreOffice (own throw-away profile), for making test inputs."""
    assert SOFFICE is not None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".profile"
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", target, "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=180, start_new_session=True,
    )
    out = outdir / f"{src.stem}.{target.split(':')[0]}"
    assert out.is_file(), f"LibreOffice made no {out.name}"
    return out


@pytest.fixture(scope="module")
def elderly_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The elderly-care sample saved by LibreOffice as Word 97-2003 .doc, under a path with
    spaces and Chinese characters."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    made = _convert(SAMPLES / ELDERLY, "doc", tmp_path_factory.mktemp("made"))
    folder = tmp_path_factory.mktemp("reports") / "2021 年 报告"
    folder.mkdir()
    target = folder / "养老 服务.doc"
    shutil.copyfile(made, target)
    return target


def _cells(table: Table) -> list[tuple[str, int, int, int, int]]:
    return [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells]


# --------------------------------------------------------------------------- real LibreOffice


@pytest.mark.slow
@needs_soffice
def test_doc_tables_match_the_docx_reader(elderly_doc: Path) -> None:
    doc = doc_to_document(elderly_doc)
    reference = docx_to_document(SAMPLES / ELDERLY)
    assert doc.format == "doc"
    assert doc.notes == ()  # read in Python (extract.readers.doc_binary), not converted
    got, want = list(doc.tables()), list(reference.tables())
    assert [(t.n_rows, t.n_cols) for t in got] == [(t.n_rows, t.n_cols) for t in want]
    for g, w in zip(got, want):
        assert _cells(g) == _cells(w)
    assert doc.text() == reference.text()


@pytest.mark.slow
@needs_soffice
def test_doc_through_the_pipeline_matches_the_expected_record(elderly_doc: Path, schema_validator) -> None:
    from jixiao.pipeline import path_to_record

    got = path_to_record(elderly_doc, elderly_doc.parent.parent)
    expected = json.loads((EXPECTED / f"{ELDERLY}.json").read_text(encoding="utf-8"))
    schema_validator.validate(got)
    assert got["source"]["format"] == "doc"
    assert got["source"]["path"] == "2021 年 报告/养老 服务.doc"
    assert got["status"] == expected["status"] == "ok", got["errors"]
    assert got["budget"] == expected["budget"]
    assert got["project"] == expected["project"]
    assert got["subprojects"] == expected["subprojects"]
    fields = ("name", "target", "weight", "actual", "reported_score", "recomputed_score", "category")
    assert len(got["indicators"]) == len(expected["indicators"])
    for g, e in zip(got["indicators"], expected["indicators"]):
        for f in fields:
            if isinstance(e[f], float):
                assert g[f] == pytest.approx(e[f], abs=1e-4), (e["name"], f)
            else:
                assert g[f] == e[f], (e["name"], f)
    key = lambda f: (f["code"], f["subject"], f["severity"])  # noqa: E731
    assert Counter(map(key, got["flags"])) == Counter(map(key, expected["flags"]))


@pytest.mark.slow
@needs_soffice
def test_excel_workbook_named_doc_is_named(elderly_doc: Path, tmp_path: Path) -> None:
    # An OLE2 file whose main stream is an Excel "Workbook": the .doc's directory entry renamed
    # (LibreOffice without Calc cannot make a real .xls here).
    data = bytearray(elderly_doc.read_bytes())
    old = "WordDocument".encode("utf-16-le") + b"\0\0"
    at = data.index(old)
    new = "Workbook".encode("utf-16-le") + b"\0\0"
    data[at:at + 64] = new.ljust(64, b"\0")
    data[at + 64:at + 66] = len(new).to_bytes(2, "little")
    fake = tmp_path / "report.doc"
    fake.write_bytes(bytes(data))
    with pytest.raises(UnreadableDocument, match=r"Excel 97-2003 workbook \(\.xls\)"):
        doc_to_document(fake)


@pytest.mark.slow
@needs_soffice
def test_password_protected_doc_is_named(elderly_doc: Path, tmp_path: Path) -> None:
    data = bytearray(elderly_doc.read_bytes())
    start, _ = ole_streams(bytes(data))["WordDocument"]
    data[(start + 1) * 512 + 0x0B] |= 0x01  # FIB fEncrypted (sector size 512 in LibreOffice's files)
    locked = tmp_path / "locked.doc"
    locked.write_bytes(bytes(data))
    with pytest.raises(UnreadableDocument, match="password-protected"):
        doc_to_document(locked)


@pytest.mark.slow
@needs_soffice
def test_damaged_word_stream_is_named(elderly_doc: Path, tmp_path: Path) -> None:
    data = bytearray(elderly_doc.read_bytes())
    start, _ = ole_streams(bytes(data))["WordDocument"]
    data[(start + 1) * 512:(start + 1) * 512 + 2] = b"\0\0"  # FIB wIdent gone
    broken = tmp_path / "broken.doc"
    broken.write_bytes(bytes(data))
    with pytest.raises(UnreadableDocument, match=r"no Word header \(wIdent 0x0000\)"):
        doc_to_document(broken)


def test_word97_doc_is_read_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.readers.doc

    monkeypatch.setattr(extract.readers.doc, "find_soffice", lambda: pytest.fail("LibreOffice was looked for"))
    doc = doc_to_document(SAMPLES / "suzhou-2021-elderly-care-budget-faults.doc")
    assert doc.blocks == docx_to_document(SAMPLES / ELDERLY).blocks and doc.notes == ()


@pytest.mark.slow
@needs_soffice
def test_cross_check_with_libreoffice_is_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_DOC_CROSSCHECK", "1")
    doc = doc_to_document(SAMPLES / "suzhou-2021-elderly-care-budget-faults.doc")
    assert doc.notes == ("cross-check: LibreOffice reads the same blocks",)


@pytest.mark.slow
@needs_soffice
def test_concurrent_conversions_do_not_collide(elderly_doc: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        docs = list(pool.map(doc_to_document, [elderly_doc, elderly_doc]))
    assert docs[0] == docs[1]


# --------------------------------------------------------------------------- no LibreOffice needed


def test_missing_soffice_raises_missing_system_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.readers.doc

    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(extract.readers.doc, "_MAC_SOFFICE", str(tmp_path / "no-such-app"))
    path = tmp_path / "report.doc"
    path.write_bytes(RTF)
    with pytest.raises(MissingSystemTool) as info:
        doc_to_document(path)
    message = str(info.value)
    assert "\n" not in message
    assert "sudo apt-get install libreoffice-writer-nogui" in message
    assert "brew install --cask libreoffice" in message
    assert ".docx and .pdf files are unaffected" in message
    assert info.value.code == "missing_system_tool"


def test_missing_soffice_gives_an_error_record_and_the_run_goes_on(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.readers.doc
    from jixiao.pipeline import path_to_record

    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(extract.readers.doc, "_MAC_SOFFICE", str(tmp_path / "no-such-app"))
    path = tmp_path / "report.doc"
    path.write_bytes(RTF)
    record = path_to_record(path, tmp_path)
    assert record["status"] == "error"
    assert record["source"]["format"] == "doc"
    assert record["errors"][0]["code"] == "missing_system_tool"


def test_soffice_override_that_is_not_a_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    path = tmp_path / "report.doc"
    path.write_bytes(RTF)
    with pytest.raises(MissingSystemTool, match="JIXIAO_SOFFICE=.*not an executable"):
        doc_to_document(path)


@pytest.mark.parametrize("content, match", [
    (os.urandom(4096), "not a Word .doc file"),
    (b"", "empty"),
    ("会议纪要，不是报告\n".encode("utf-8"), "not a Word .doc file"),
    (OLE2_MAGIC + os.urandom(2048), "damaged OLE2"),
])
def test_bytes_that_are_not_a_word_file(tmp_path: Path, content: bytes, match: str) -> None:
    # Checked before LibreOffice runs: LibreOffice itself would import any bytes as plain text.
    path = tmp_path / "random.doc"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=match):
        doc_to_document(path)


def test_random_bytes_named_doc_in_the_pipeline(tmp_path: Path) -> None:
    from jixiao.pipeline import path_to_record

    path = tmp_path / "random.doc"
    path.write_bytes(os.urandom(2048))
    record = path_to_record(path, tmp_path)
    assert record["status"] == "error"
    assert record["errors"][0]["code"] == "unreadable_document"


def test_docx_package_named_doc_is_read_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)  # not needed, so not looked for
    path = tmp_path / "really-a-docx.doc"
    shutil.copyfile(SAMPLES / ELDERLY, path)
    doc = doc_to_document(path)
    assert doc.format == "doc"
    assert [_cells(t) for t in doc.tables()] == [_cells(t) for t in docx_to_document(SAMPLES / ELDERLY).tables()]


# --------------------------------------------------------------------------- fake soffice programs


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return path


@posix_only
def test_command_line_profile_and_private_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "argv.txt"
    profile_copy = tmp_path / "profile-settings.xcu"
    fake = _script(tmp_path / "soffice", f"""
printf '%s\\n' "$@" > '{log}'
outdir=""; prev=""; profile=""
for a in "$@"; do
  [ "$prev" = "--outdir" ] && outdir="$a"
  case "$a" in -env:UserInstallation=file://*) profile="${{a#-env:UserInstallation=file://}}";; esac
  prev="$a"
done
cp "$profile/user/registrymodifications.xcu" '{profile_copy}'
cp '{SAMPLES / ELDERLY}' "$outdir/input.docx"
""")
    monkeypatch.setenv("JIXIAO_SOFFICE", str(fake))
    folder = tmp_path / "有 空格 的 目录"
    folder.mkdir()
    path = folder / "绩效 自评.doc"
    path.write_bytes(RTF)
    doc = doc_to_document(path)
    assert doc.format == "doc" and len(list(doc.tables())) == 2
    argv = log.read_text(encoding="utf-8").splitlines()
    assert argv[:3] == ["--headless", "--norestore", "--nolockcheck"]
    assert any(a.startswith("-env:UserInstallation=file://") for a in argv)
    assert "--infilter=Rich Text Format" in argv
    assert argv[argv.index("--convert-to") + 1].startswith("docx")
    source = Path(argv[-1])
    assert source.name == "input.rtf" and source.as_posix().isascii() and path.parent not in source.parents
    assert not any("macro" in a.lower() for a in argv)
    settings = profile_copy.read_text(encoding="utf-8")
    assert '"DisableMacrosExecution"' in settings and '"MacroSecurityLevel"' in settings
    assert not source.parent.exists()  # the private folder is gone


@posix_only
def test_failure_passes_on_the_tail_of_soffice_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _script(tmp_path / "soffice", "echo 'Warning: failed to launch javaldx' >&2\n"
                                          "echo 'Error: source file could not be loaded' >&2\nexit 81\n")
    monkeypatch.setenv("JIXIAO_SOFFICE", str(fake))
    path = tmp_path / "r.doc"
    path.write_bytes(RTF)
    with pytest.raises(UnreadableDocument) as info:
        doc_to_document(path)
    message = str(info.value)
    assert "exit status 81" in message and "could not be loaded" in message and "javaldx" not in message


@posix_only
def test_timeout_kills_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pidfile = tmp_path / "child.pid"
    fake = _script(tmp_path / "soffice", f"sleep 60 &\necho $! > '{pidfile}'\nwait\n")
    monkeypatch.setenv("JIXIAO_SOFFICE", str(fake))
    path = tmp_path / "r.doc"
    path.write_bytes(RTF)
    started = time.monotonic()
    with pytest.raises(UnreadableDocument, match="did not finish .* within 1 s"):
        doc_to_document(path, timeout=1)
    assert time.monotonic() - started < 10
    child = int(pidfile.read_text().strip())
    assert _gone(child), "the soffice child process survived the timeout"


@posix_only
def test_timeout_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _script(tmp_path / "soffice", "sleep 60\n")
    monkeypatch.setenv("JIXIAO_SOFFICE", str(fake))
    monkeypatch.setenv("JIXIAO_SOFFICE_TIMEOUT", "0.5")
    path = tmp_path / "r.doc"
    path.write_bytes(RTF)
    with pytest.raises(UnreadableDocument, match="within 0.5 s"):
        doc_to_document(path)


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z":
            return True  # killed, waiting for init to reap it
        time.sleep(0.05)
    return False


@posix_only
@pytest.mark.parametrize("files, expected", [
    (("soffice", "soffice.bin", "libmergedlo.so", "libsclo.so"), False),  # Calc alone (Debian's calc-nogui)
    (("soffice", "soffice.bin", "libmergedlo.so", "libsclo.so", "libswlo.so"), True),
    (("soffice",), True),  # a wrapper script somewhere else: LibreOffice itself will say
])
def test_a_libreoffice_without_writer_counts_as_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       files: tuple[str, ...], expected: bool) -> None:
    from extract.readers.doc import has_writer

    for name in files:
        (tmp_path / name).write_text("#!/bin/sh\n")
    (tmp_path / "soffice").chmod(0o755)
    assert has_writer(str(tmp_path / "soffice")) is expected
    monkeypatch.setenv("JIXIAO_SOFFICE", str(tmp_path / "soffice"))
    if expected:
        assert find_soffice() == str(tmp_path / "soffice")
    else:
        with pytest.raises(MissingSystemTool, match="has no Writer"):
            find_soffice()
