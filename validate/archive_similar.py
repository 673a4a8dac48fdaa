"""Near-identical narrative across an archive, measured: character shingles, MinHash signatures, LSH banding
for candidates, exact Jaccard to verify them against each group's first text (no chaining).  Sub-quadratic and streamed: every
set that grows with the archive (texts, bands, candidate pairs, groups) is a table in SQLite's temporary
database, so Python holds one text, one bucket or one group at a time.

The measure: a text's *key* is NFKC-folded with whitespace removed and every figure (years, amounts, rates)
turned into ``0``; its shingles are its overlapping ``shingle``-character substrings (hashed to 64 bits); two
texts are similar when the Jaccard index of their shingle sets is at least ``similarity`` (0.9).  MinHash
with ``permutations`` hash functions in ``bands`` bands of ``permutations/bands`` rows makes two texts of
Jaccard 0.9 candidates with probability 1 − (1 − 0.9⁸)¹⁶ ≈ 0.9999 and two of Jaccard 0.5 with 0.06.
Signatures are kept in the store (``archive_signatures``, keyed by a hash of the key and the parameters),
so a rerun computes them only for texts it has not seen.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator

import numpy as np

from validate.archive_text import narrative_key


@dataclass(frozen=True)
class ArchiveSettings:
    """How the archive findings are measured.

    similarity        Jaccard index of two texts' shingle sets from which they count as copied (0.9)
    shingle           characters per shingle (3: specific enough for Chinese prose, and one changed character
                      of an 80-character text still leaves a Jaccard index of about 0.93)
    permutations      MinHash functions per signature
    bands             LSH bands (permutations must divide into them)
    min_chars         a text shorter than this once folded (whitespace removed) is not compared (30; a
                      one-word 无 in many reports is no copying)
    evidence_chars    how much of the shared text the evidence quotes
    max_bucket        an LSH bucket with more texts than this is linked as a chain, not as all pairs
    seed              of the MinHash functions (fixed: signatures must be the same on every run)
    """

    similarity: float = 0.9
    shingle: int = 3
    permutations: int = 128
    bands: int = 16
    min_chars: int = 30
    evidence_chars: int = 120
    max_bucket: int = 50
    seed: int = 14

    def __post_init__(self) -> None:
        if not 0.0 < self.similarity <= 1.0:
            raise ValueError(f"similarity must be in (0, 1], got {self.similarity!r}")
        for name in ("shingle", "permutations", "bands", "min_chars", "evidence_chars", "max_bucket"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if self.permutations % self.bands:
            raise ValueError(f"permutations ({self.permutations}) must divide into bands ({self.bands})")

    @classmethod
    def resolve(cls, value: ArchiveSettings | dict[str, Any] | None) -> ArchiveSettings:
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = set(value) - set(asdict(cls()))
            if unknown:
                raise ValueError(f"unknown archive settings: {', '.join(sorted(unknown))}")
            return cls(**value)
        raise ValueError(f"archive settings must be a dict or ArchiveSettings, got {type(value).__name__}")

    @property
    def tag(self) -> str:
        """What a signature depends on, part of its cache key: the shingle length and the hash functions
        themselves (by a digest, so a numpy whose generator drew other numbers cannot reuse old ones)."""
        return f"minhash:k={self.shingle}:{_functions_digest(self.permutations, self.seed)}"


# ----------------------------------------------------------------------------------------------
# Shingles, signatures, Jaccard (pure)
# ----------------------------------------------------------------------------------------------
def shingles(key: str, k: int) -> np.ndarray:
    """The sorted distinct 64-bit hashes of the ``k``-character substrings of ``key`` (the whole key when
    it is shorter).  A polynomial rolling hash over code points, then a splitmix64 finaliser: deterministic
    across processes (Python's ``hash`` of a str is not)."""
    codes = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size == 0:
        return codes
    k = min(k, codes.size)
    n = codes.size - k + 1
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h * np.uint64(1_000_003) + codes[j:j + n]
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return np.unique(h)


def minhash_functions(settings: ArchiveSettings) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of h(x) = (a·x + b) >> 32 mod 2³² (multiply-shift, a odd), fixed by the seed."""
    return _functions(settings.permutations, settings.seed)


@lru_cache(maxsize=8)
def _functions(permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=permutations, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=permutations, dtype=np.uint64)
    a.flags.writeable = b.flags.writeable = False
    return a, b


@lru_cache(maxsize=8)
def _functions_digest(permutations: int, seed: int) -> str:
    a, b = _functions(permutations, seed)
    return hashlib.sha1(a.tobytes() + b.tobytes()).hexdigest()[:16]


def signature(shingle_hashes: np.ndarray, functions: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The MinHash signature (uint32 per function) of a shingle set."""
    return signatures([shingle_hashes], functions)[0]


def signatures(sets: list[np.ndarray], functions: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The MinHash signatures of many shingle sets at once, one row each (an empty set: all 0xFFFFFFFF)."""
    a, b = functions
    out = np.full((len(sets), a.size), 0xFFFFFFFF, dtype=np.uint32)
    filled = [i for i, x in enumerate(sets) if x.size]
    if not filled:
        return out
    parts = [sets[i] for i in filled]
    offsets = np.cumsum([0] + [x.size for x in parts[:-1]])
    with np.errstate(over="ignore"):
        values = (a[:, None] * np.concatenate(parts)[None, :] + b[:, None]) >> np.uint64(32)  # < 2³²
    out[filled] = np.minimum.reduceat(values, offsets, axis=1).T.astype(np.uint32)
    return out


def jaccard(x: np.ndarray, y: np.ndarray) -> float:
    """Exact Jaccard index of two sorted distinct hash arrays."""
    if x.size == 0 and y.size == 0:
        return 1.0
    common = np.intersect1d(x, y, assume_unique=True).size
    return common / (x.size + y.size - common)


def band_buckets(sigs: np.ndarray, bands: int) -> np.ndarray:
    """One 63-bit bucket number per band of each signature (rows × bands, int64): the band's values
    hashed together (polynomial, then the splitmix64 finaliser)."""
    sigs = np.atleast_2d(sigs)
    rows = sigs.shape[1] // bands
    parts = sigs.reshape(sigs.shape[0], bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = np.zeros(parts.shape[:2], dtype=np.uint64)
        for j in range(rows):
            h = h * np.uint64(1_000_003) + parts[:, :, j]
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(1)).astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Groups of similar texts over a store
# ----------------------------------------------------------------------------------------------
_TEMP = (
    "CREATE TEMP TABLE _texts (text_id INTEGER PRIMARY KEY, subject TEXT, text_hash TEXT, key TEXT, text TEXT, "
    "UNIQUE (subject, text_hash))",
    "CREATE TEMP TABLE _narr (source_path TEXT, subject TEXT, text_hash TEXT)",
    "CREATE TEMP TABLE _bands (subject TEXT, band INTEGER, bucket INTEGER, text_id INTEGER)",
    "CREATE TEMP TABLE _pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b))",
    "CREATE TEMP TABLE _groups (text_id INTEGER PRIMARY KEY, leader INTEGER, similarity REAL)",
)
_BATCH = 2000


def _drop_temp(conn: sqlite3.Connection) -> None:
    for table in ("_texts", "_narr", "_bands", "_pairs", "_groups"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def batches(rows: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_texts(conn: sqlite3.Connection, items: Iterable[tuple[str, str, str]], settings: ArchiveSettings) -> None:
    """(source_path, subject, text) items → temp tables ``_texts`` (one row per distinct subject and key)
    and ``_narr`` (which report holds which).  Texts shorter than ``min_chars`` once folded are left out."""
    _drop_temp(conn)
    for statement in _TEMP:
        conn.execute(statement)

    def rows() -> Iterator[tuple[str, str, str, str, str]]:
        for source_path, subject, text in items:
            key = narrative_key(text)
            if len(key) < settings.min_chars:
                continue
            digest = hashlib.sha1(f"{settings.tag}\0{key}".encode()).hexdigest()
            yield source_path, subject, digest, key, text

    for batch in batches(rows()):
        conn.executemany("INSERT OR IGNORE INTO _texts (subject, text_hash, key, text) VALUES (?, ?, ?, ?)",
                         [(s, h, k, t) for _, s, h, k, t in batch])
        conn.executemany("INSERT INTO _narr VALUES (?, ?, ?)", [(p, s, h) for p, s, h, _, _ in batch])
    conn.execute("CREATE INDEX temp._narr_text ON _narr (subject, text_hash)")


def signatures_to_bands(conn: sqlite3.Connection, settings: ArchiveSettings) -> int:
    """MinHash signature of every text (from the ``archive_signatures`` cache where it is there) → its LSH
    bands in ``_bands``; returns how many signatures were computed (not found in the cache)."""
    conn.execute("CREATE TABLE IF NOT EXISTS archive_signatures (text_hash TEXT PRIMARY KEY, signature BLOB)")
    functions = minhash_functions(settings)
    computed = 0
    conn.execute("DROP TABLE IF EXISTS temp._fresh")
    conn.execute("CREATE TEMP TABLE _fresh (text_hash TEXT PRIMARY KEY, signature BLOB)")
    cursor = conn.execute("SELECT t.text_id, t.subject, t.text_hash, t.key, s.signature FROM _texts t "
                          "LEFT JOIN archive_signatures s ON s.text_hash = t.text_hash ORDER BY t.text_id")
    while chunk := cursor.fetchmany(256):
        sigs = np.empty((len(chunk), settings.permutations), dtype=np.uint32)
        missing = []
        for i, (_, _, _, key, blob) in enumerate(chunk):
            if blob is not None and len(blob) == 4 * settings.permutations:
                sigs[i] = np.frombuffer(blob, dtype=np.uint32)
            else:
                missing.append(i)
        if missing:
            sigs[missing] = signatures([shingles(chunk[i][3], settings.shingle) for i in missing], functions)
            conn.executemany("INSERT OR REPLACE INTO _fresh VALUES (?, ?)",
                             [(chunk[i][2], sigs[i].tobytes()) for i in missing])
            computed += len(missing)
        buckets = band_buckets(sigs, settings.bands)
        conn.executemany("INSERT INTO _bands VALUES (?, ?, ?, ?)",
                         [(row[1], band, int(buckets[i, band]), row[0]) for i, row in enumerate(chunk)
                          for band in range(settings.bands)])
    conn.execute("INSERT OR REPLACE INTO archive_signatures SELECT text_hash, signature FROM _fresh")
    conn.execute("DROP TABLE temp._fresh")
    # Signatures of texts no report holds any more are dropped: the cache tracks the archive.
    conn.execute("DELETE FROM archive_signatures WHERE text_hash NOT IN (SELECT text_hash FROM _texts)")
    conn.execute("CREATE INDEX temp._bands_bucket ON _bands (subject, band, bucket)")
    return computed


def bands_to_pairs(conn: sqlite3.Connection, settings: ArchiveSettings) -> None:
    """Texts sharing a bucket in any band → candidate pairs: all pairs of a bucket of up to ``max_bucket``
    texts, a chain through a larger one (whose members ``pairs_to_groups`` still checks against the
    leader of their chained partner's group).  So a text is in at most
    ``bands × (max_bucket − 1)`` pairs, and the pairs grow linearly with the archive even where thousands of
    reports hold variants of one boilerplate text."""
    cursor = conn.execute(
        "SELECT b.subject, b.band, b.bucket, b.text_id FROM _bands b JOIN "
        "(SELECT subject, band, bucket FROM _bands GROUP BY subject, band, bucket HAVING COUNT(*) > 1) m "
        "ON m.subject = b.subject AND m.band = b.band AND m.bucket = b.bucket "
        "ORDER BY b.subject, b.band, b.bucket, b.text_id")
    pairs: list[tuple[int, int]] = []
    bucket: list[int] = []
    current: tuple[Any, ...] | None = None

    def flush() -> None:
        if len(bucket) <= settings.max_bucket:
            pairs.extend((x, y) for i, x in enumerate(bucket) for y in bucket[i + 1:])
        else:
            pairs.extend(zip(bucket, bucket[1:]))

    for subject, band, number, text_id in cursor:
        if (subject, band, number) != current:
            flush()
            bucket, current = [], (subject, band, number)
        bucket.append(text_id)
        if len(pairs) >= _BATCH:
            conn.executemany("INSERT OR IGNORE INTO _pairs VALUES (?, ?)", pairs)
            pairs = []
    flush()
    conn.executemany("INSERT OR IGNORE INTO _pairs VALUES (?, ?)", pairs)


def pairs_to_groups(conn: sqlite3.Connection, settings: ArchiveSettings) -> int:
    """Texts in text-id order, each joined to the first group whose *first* text (its leader, the group's
    smallest text id) it is verified similar to by the exact Jaccard index of their shingle sets, or made a
    new group's leader.  The groups it may join are those of its candidate partners already placed (from
    ``_pairs``), so a text is checked against at most as many leaders as it has candidate pairs: linear in
    the pairs, like verifying them.  No chaining: A ≈ B and B ≈ C put C with A only when C ≈ A too.
    ``_groups`` keeps each placed text's leader and its similarity to it; returns how many texts joined a
    leader."""
    conn.execute("CREATE INDEX IF NOT EXISTS temp._pairs_b ON _pairs (b, a)")
    leaders_of = "SELECT DISTINCT g.leader FROM _pairs p JOIN _groups g ON g.text_id = p.a WHERE p.b = ? ORDER BY 1"
    cached: dict[int, np.ndarray] = {}  # the shingles of recent leaders (a leader is checked again and again)

    def of(leader: int) -> np.ndarray:
        if leader not in cached:
            if len(cached) >= 4096:
                cached.pop(next(iter(cached)))
            key = conn.execute("SELECT key FROM _texts WHERE text_id = ?", (leader,)).fetchone()[0]
            cached[leader] = shingles(key, settings.shingle)
        return cached[leader]

    joined = 0
    cursor = conn.execute("SELECT text_id, key FROM _texts WHERE text_id IN (SELECT a FROM _pairs UNION "
                          "SELECT b FROM _pairs) ORDER BY text_id")
    for text_id, key in cursor:
        mine = shingles(key, settings.shingle)
        home, value = text_id, 1.0
        for (leader,) in conn.execute(leaders_of, (text_id,)).fetchall():
            similarity = jaccard(of(leader), mine)
            if similarity >= settings.similarity:
                home, value = leader, similarity
                joined += 1
                break
        conn.execute("INSERT INTO _groups VALUES (?, ?, ?)", (text_id, home, value))
    return joined


def groups(conn: sqlite3.Connection) -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """Each group of similar texts (its leader and the texts verified similar to it, or one text alone)
    with its (source_path, text_id) members, sorted; groups in leader order."""
    cursor = conn.execute(
        "SELECT COALESCE(g.leader, t.text_id) AS root, n.source_path, t.text_id FROM _narr n "
        "JOIN _texts t ON t.subject = n.subject AND t.text_hash = n.text_hash "
        "LEFT JOIN _groups g ON g.text_id = t.text_id ORDER BY root, n.source_path, t.text_id")
    current, members = None, []
    for root, source_path, text_id in cursor:
        if root != current:
            if members:
                yield current, members
            current, members = root, []
        members.append((source_path, text_id))
    if members:
        yield current, members


def similarity_range(conn: sqlite3.Connection, members: list[tuple[str, int]]) -> tuple[float, float]:
    """The lowest and highest similarity to the group's first text (its leader's) of each of the group's
    (source_path, text_id) members but one report holding that first text: every pair the finding rests on
    (another report holding the first text itself counts 1.0).  (1.0, 1.0) for one report, or for reports
    that all hold one and the same text."""
    leader = min(text_id for _, text_id in members)
    marks = ",".join("?" * len(members))
    verified = dict(conn.execute(f"SELECT text_id, similarity FROM _groups WHERE text_id IN ({marks})",
                                 [text_id for _, text_id in members]))
    values = sorted(1.0 if text_id == leader else verified.get(text_id, 1.0) for _, text_id in members)
    values.pop()  # the first report: its own text (1.0 is the largest value there can be)
    return (values[0], values[-1]) if values else (1.0, 1.0)
