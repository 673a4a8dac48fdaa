"""The output folder as a dataset: one run at a time, one key per record, tables = ``json/``.

A data team builds a dataset folder by folder (``extract 2019/ --out ds``, then ``extract 2020/
--out ds``). OUT remembers each DIR it was given (``OUT/.jixiao/roots.json``): the first DIR's
records are keyed by their path inside it, every further DIR's under its own prefix (``2020/…``),
so two folders can never overwrite each other's records. A DIR inside, or around, one OUT already
holds is refused before anything is written: the same files would get two keys. A rerun of a DIR
drops the records of its inputs that are gone, so every table describes exactly ``json/``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from jixiao.errors import JixiaoError
from jixiao.writers import atomic_write_text, json_name


class OutputFolderError(JixiaoError):
    """OUT cannot be used as asked (a usage error: nothing was written)."""

    code = "output_folder"


@dataclass
class Root:
    dir: str
    prefix: str


@dataclass
class Dataset:
    """What OUT holds: its roots, and the lock this run keeps on it."""

    out: Path
    roots: list[Root] = field(default_factory=list)
    lock_fd: int | None = None

    @property
    def meta(self) -> Path:
        return self.out / ".jixiao"

    def root_for(self, root: Path) -> Root:
        """The entry of ``root`` (a DIR), added with a fresh prefix when OUT has not seen it."""
        here = str(root.resolve())
        for entry in self.roots:
            if entry.dir == here:
                return entry
        for entry in self.roots:
            there = Path(entry.dir)
            if _inside(Path(here), there):
                raise OutputFolderError(
                    f"{self.out} already holds the records of {entry.dir}, which holds {here}: run on "
                    f"{entry.dir} again (unchanged files are not redone), or use another --out")
            if _inside(there, Path(here)):
                raise OutputFolderError(
                    f"{self.out} already holds the records of {entry.dir}, which lies inside {here}: its files "
                    f"would be kept twice; use another --out for {here}")
        taken = {e.prefix for e in self.roots}
        existing = list(self.keys()) if self.roots or (self.out / "json").exists() else []
        if not self.roots and not existing:
            prefix = ""
        elif not self.roots:
            # Records from before OUT remembered its DIRs: adopted when they are this DIR's files.
            if not all(os.path.lexists(Path(here) / k) for k in existing):
                raise OutputFolderError(
                    f"{self.out} holds records of an earlier run on another folder (it did not note which); "
                    "run on that folder, or use another --out")
            prefix = ""
        else:
            stem = Path(here).name or "dir"
            prefix, n = f"{stem}/", 2
            while prefix in taken or any(k.startswith(prefix) for k in existing):
                prefix, n = f"{stem}-{n}/", n + 1
        entry = Root(here, prefix)
        self.roots.append(entry)
        return entry

    def save(self) -> None:
        atomic_write_text(self.meta / "roots.json", json.dumps(
            {"roots": [{"dir": r.dir, "prefix": r.prefix} for r in self.roots]}, ensure_ascii=False, indent=2) + "\n")

    def owner(self, key: str) -> Root | None:
        """The DIR a key belongs to: the one with the longest prefix that starts it."""
        best = None
        for entry in self.roots:
            if key.startswith(entry.prefix) and (best is None or len(entry.prefix) > len(best.prefix)):
                best = entry
        return best

    def json_files(self) -> list[Path]:
        folder = self.out / "json"
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))

    def keys(self) -> Iterator[str]:
        for _, record in self.records():
            yield record["source"]["path"]

    def records(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Every record in ``json/`` but the files named in ``skip`` (a file that is not a record is
        left alone and not listed)."""
        for path in self.json_files():
            if path.name in skip:
                continue
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                record["source"]["path"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            yield path, record

    def release(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


def _inside(path: Path, folder: Path) -> bool:
    return path != folder and folder in path.parents


def open_dataset(out: Path) -> Dataset:
    """Create OUT if needed, take its lock and read which DIRs it holds.

    Raises OutputFolderError (a usage error) when OUT is a file, cannot be created, or another
    run holds it."""
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {out} is a file, not a folder; give a folder (it is created if missing)")
    try:
        (out / ".jixiao").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(f"cannot create the output folder {out} ({exc.strerror or exc}); "
                                "choose another --out") from None
    dataset = Dataset(out)
    dataset.lock_fd = _lock(dataset.meta / "lock", out)
    try:
        data = json.loads((dataset.meta / "roots.json").read_text(encoding="utf-8"))
        dataset.roots = [Root(r["dir"], r["prefix"]) for r in data.get("roots", [])]
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as exc:
        dataset.release()
        raise OutputFolderError(f"{dataset.meta / 'roots.json'} is damaged ({exc}); "
                                "delete it and run each folder again with --force") from None
    return dataset


def _lock(path: Path, out: Path) -> int:
    """An exclusive lock on OUT for the run's lifetime (released by the kernel if the run dies)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputFolderError(f"cannot write to the output folder {out} ({exc.strerror or exc}); "
                                "choose another --out") from None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, as before
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise OutputFolderError(f"another jixiao run (pid {holder}) is writing to {out}; wait for it to end, "
                                "or use another --out") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def remove_records(dataset: Dataset, keys: list[str]) -> None:
    for key in keys:
        (dataset.out / "json" / json_name(key)).unlink(missing_ok=True)
