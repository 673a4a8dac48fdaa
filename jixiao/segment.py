"""jieba's word segmentation without its half-second start.

jieba builds a dictionary of ~350 000 words plus every prefix of each (~600 000 keys) before
its first cut: 0.5–0.6 s from its own cache, paid by every run that has to place one name
fragment. Here the same words and frequencies are kept as one sorted list: "is this a word or
the start of one" is a binary search, and the list loads from jixiao's cache in ~30 ms. The cut
is jieba's own (its DAG, route and HMM code), reading our list where it would read its dict,
so it segments exactly as ``jieba.lcut`` does; a test holds the two side by side.
"""

from __future__ import annotations

import array
import bisect
import logging
import marshal
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger("jixiao")

_CACHE_VERSION = 1


class PrefixDict:
    """jieba's ``FREQ`` mapping, read from a sorted word list: a word → its frequency, a proper
    prefix of a word → 0 (jieba's marker that the DAG walk may go on), anything else absent."""

    __slots__ = ("_words", "_freqs", "_n")

    def __init__(self, words: list[str], freqs: array.array) -> None:
        self._words = words
        self._freqs = freqs
        self._n = len(words)

    def get(self, key: str, default: Any = None) -> Any:
        i = bisect.bisect_left(self._words, key)
        if i < self._n:
            word = self._words[i]
            if word == key:
                return self._freqs[i]
            if word.startswith(key):
                return 0
        return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __getitem__(self, key: str) -> int:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return int(value)

    def __len__(self) -> int:
        return self._n


def dictionary_to_words(lines: Any) -> tuple[list[str], array.array, int]:
    """jieba's dict.txt lines (``word freq [tag]``) → sorted words, their frequencies, the total.

    As jieba's ``gen_pfdict``: a word listed twice keeps its last frequency, the total counts both."""
    freq: dict[str, int] = {}
    total = 0
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split(" ")
        try:
            count = int(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"invalid dictionary entry at line {lineno}: {line}") from None
        freq[parts[0]] = count
        total += count
    words = sorted(freq)
    return words, array.array("q", (freq[w] for w in words)), total


def _cache_dir() -> Path:
    if os.environ.get("JIXIAO_CACHE_DIR"):
        return Path(os.environ["JIXIAO_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "jixiao"
    try:
        return Path.home() / ".cache" / "jixiao"
    except (RuntimeError, KeyError):  # no home directory (some service accounts and containers)
        return Path(tempfile.gettempdir()) / "jixiao-cache"


CACHE_KEPT = 3  # copies of one cached thing (other versions of its source) kept beside the newest


def prune_cache(kind: str, newest: Path, kept: int = CACHE_KEPT) -> None:
    """Remove the cache's older copies of ``kind`` (files named ``kind*``: made from other versions
    of their source, say another virtual environment's install), keeping ``newest`` and the
    ``kept - 1`` written last. Each copy is megabytes; without this every new install left one more."""
    try:
        copies = sorted((p for p in newest.parent.glob(f"{kind}*") if p.is_file() and p != newest),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in copies[kept - 1:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # another process pruning too, or a read-only cache: left as it is
        log.debug("cache not pruned (%s)", exc)


def load_words(dict_path: Path) -> tuple[PrefixDict, int]:
    """The dictionary at ``dict_path`` as a ``PrefixDict`` and its total, from jixiao's cache
    when it has this version of the file, else parsed (and the cache written, if it can be)."""
    stat = dict_path.stat()
    key = (_CACHE_VERSION, str(dict_path.resolve()), stat.st_size, stat.st_mtime_ns)
    cache = _cache_dir() / f"jieba-words-{stat.st_size}-{stat.st_mtime_ns}.marshal"
    try:
        with cache.open("rb") as fh:
            cached_key, joined, freq_bytes, total = marshal.load(fh)
        if tuple(cached_key) == key:
            freqs = array.array("q")
            freqs.frombytes(freq_bytes)
            return PrefixDict(joined.split("\n"), freqs), total
    except (OSError, ValueError, EOFError, TypeError):
        pass
    with dict_path.open(encoding="utf-8") as fh:
        words, freqs, total = dictionary_to_words(fh)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{cache.name}.", dir=cache.parent)
        with os.fdopen(fd, "wb") as out:
            marshal.dump((key, "\n".join(words), freqs.tobytes(), total), out)
        os.replace(tmp, cache)
        prune_cache("jieba-words-", cache)
    except OSError as exc:  # a read-only home: slower starts, same cuts
        log.debug("jieba word cache not written (%s)", exc)
    return PrefixDict(words, freqs), total


def _import_jieba() -> Any:
    # jieba finds its data through pkg_resources when that imports: ~0.1 s and a deprecation
    # warning for what a plain open() next to its module does (its own fallback).
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=1)
def segmenter() -> Callable[[str], list[str]]:
    """``jieba.lcut`` on jieba's default dictionary, started from the sorted word list."""
    jieba = _import_jieba()
    words, total = load_words(Path(jieba.__file__).with_name("dict.txt"))
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = words, total, True
    cut: Callable[[str], list[str]] = tokenizer.lcut
    return cut


# --------------------------------------------------------------------------- fragments cut by a page break


def _name(raw: str) -> str:
    from jixiao.text import clean_field, repair_duplicate

    return repair_duplicate(clean_field(raw))


def _segmenter() -> Callable[[str], list[str]]:
    return segmenter()


def warm_up() -> None:
    """Load the segmenter's dictionary now (before worker processes fork), not at the first fragment."""
    _segmenter()


def _word_crosses(left: str, right: str) -> bool:
    """Does jieba read a word across the seam of ``left + right``?"""
    seam = len(left)
    pos = 0
    for token in _segmenter()(left + right):
        if pos < seam < pos + len(token):
            return True
        pos += len(token)
    return False


def fragment_side(previous: str | None, fragment: str, following: str | None) -> str:
    """Where a name fragment cut off by a page break belongs: ``"previous"`` or ``"following"``.

    A row cut by a page break leaves a fragment (``成数``) that could end the name above
    (``监管数据中心基础库建``) or begin the name below. The side where jieba finds a word
    across the seam (``建成``) wins; without evidence the fragment continues the row
    above, which is what a page break does.
    """
    prev = _name(previous or "")
    frag = _name(fragment)
    follow = _name(following or "")
    if following is not None and not follow:
        return "following"  # the row below has values but no name: the cut fell inside its name
    if not prev:
        return "following"
    if not follow:
        return "previous"
    joins_prev = _word_crosses(prev, frag)
    joins_next = _word_crosses(frag, follow)
    if joins_next and not joins_prev:
        return "following"
    return "previous"
