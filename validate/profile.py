"""Rule profiles: a form's scoring rules as validated data, loaded from TOML.

A profile is data, not code: a new form or a local variant is a new TOML file. Loading
checks every key and names the bad one, so that an edited profile fails on load and not
halfway through a run.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from jixiao.errors import InvalidProfile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROFILE_DIR = Path(__file__).parent / "profiles"
WEIGHT_CHECKS = ("sum", "equal_split")
REVERSE_FORMULAS = ("ratio", "linear")
# Suzhou: completion-rate bands; national: share of the target reached; 重庆 部门整体: 得分系数 × 指标权重
SCORINGS = ("band", "proportional", "coefficient")
# Suzhou: 好/较好/… shares; national: 达成/部分达成/未达成 score bands; reported: kept within [0, weight]
QUALITATIVE = ("grades", "bands", "reported")
RATE_BASES = ("full_year", "initial")
PERCENT_READINGS = ("completion", "difference")
CONFIDENCES = ("high", "low")
# 财预〔2020〕10号: 优 ≥ 90, 良 80–90, 中 60–80, 差 < 60.
NATIONAL_GRADE_BANDS = {"优": (90.0, 100.0), "良": (80.0, 90.0), "中": (60.0, 80.0), "差": (0.0, 60.0)}


@dataclass(frozen=True)
class ClassRule:
    """How one indicator class (投入/产出/…) is scored and how its weights are checked."""

    full_from: float = 100.0
    full_to: float | None = None
    shortfall_per_point: float = 0.05
    excess_per_point: float = 0.0
    weights: str = "sum"
    assumed: bool = False

    def __post_init__(self) -> None:
        if self.weights not in WEIGHT_CHECKS:
            raise ValueError(f"weights must be one of {WEIGHT_CHECKS}, not {self.weights!r}")
        if self.full_to is not None and self.full_to < self.full_from:
            raise ValueError("full_to must not be below full_from")
        for name in ("shortfall_per_point", "excess_per_point"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")


@dataclass(frozen=True)
class SpecialRule:
    """An indicator whose rule is uncertain: scored generically, flagged with ``confidence``."""

    confidence: str = "low"
    note: str = ""

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"confidence must be one of {CONFIDENCES}, not {self.confidence!r}")


@dataclass(frozen=True)
class BudgetRule:
    """The budget-execution score of the national form (spec B2): weight × min(cap, rate)."""

    weight: float = 10.0
    cap: float = 1.0
    rate_base: str = "full_year"  # 全年预算数 (调整后预算数), falling back to 年初预算数 when empty

    def __post_init__(self) -> None:
        if self.rate_base not in RATE_BASES:
            raise ValueError(f"rate_base must be one of {RATE_BASES}")


@dataclass(frozen=True)
class Profile:
    name: str
    template: str
    description: str = ""
    detect: tuple[str, ...] = ()
    score_tolerance: float = 0.05
    sum_tolerance: float = 0.01
    money_tolerance: float = 0.01
    execution_rate_tolerance: float = 1.0
    scoring: str = "band"
    qualitative: str = "grades"
    grades: Mapping[str, float] = field(default_factory=dict)
    bands: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    unmapped_grade: str = ""
    echo_grade: str = "好"
    mixed_grade: str = "好"
    reverse_formula: tuple[str, ...] = ("ratio",)
    percent_readings: tuple[str, ...] = ("completion",)
    execution_rate_indicator: str = "预算执行率"
    over_achievement_at: float | None = None
    deviation_required: bool = False
    score_exceeds_weight: bool = False  # flag a row whose reported score is above its weight
    confidence: str = "high"  # low: the form's rules are not known (generic); every flag says so
    # The score band of each grade a report may state: [low, high), the top band including 100.
    grade_bands: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(NATIONAL_GRADE_BANDS))
    total_points: float | None = None
    split: Mapping[str, float] = field(default_factory=dict)
    budget: BudgetRule | None = None
    classes: Mapping[str, ClassRule] = field(default_factory=dict)
    special: Mapping[str, SpecialRule] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if not self.classes:
            raise ValueError("classes: at least one indicator class is needed")
        if self.scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {SCORINGS}")
        if self.qualitative not in QUALITATIVE:
            raise ValueError(f"qualitative must be one of {QUALITATIVE}")
        if self.qualitative == "grades":
            for grade in (self.echo_grade, self.mixed_grade):
                if grade not in self.grades:
                    raise ValueError(f"assumptions: grade {grade!r} is not in [grades]")
        elif self.qualitative == "bands":
            if not self.bands:
                raise ValueError("qualitative = \"bands\" needs a [bands] table")
            for outcome, (lo, hi) in self.bands.items():
                if not 0 <= lo <= hi <= 1:
                    raise ValueError(f"bands.{outcome} must be [low, high] with 0 ≤ low ≤ high ≤ 1")
            if self.unmapped_grade and self.unmapped_grade not in self.bands:
                raise ValueError(f"assumptions.unmapped_grade {self.unmapped_grade!r} is not in [bands]")
        bad = [r for r in self.reverse_formula if r not in REVERSE_FORMULAS]
        if bad or not self.reverse_formula:
            raise ValueError(f"assumptions.reverse_formula must be one or more of {REVERSE_FORMULAS}")
        bad = [r for r in self.percent_readings if r not in PERCENT_READINGS]
        if bad or not self.percent_readings:
            raise ValueError(f"assumptions.percent_readings must be a non-empty subset of {PERCENT_READINGS}")
        for grade, share in self.grades.items():
            if not 0 <= share <= 1:
                raise ValueError(f"grades.{grade} must be between 0 and 1")

    def special_for(self, indicator_name: str) -> SpecialRule | None:
        return next((rule for key, rule in self.special.items() if key in indicator_name), None)

    @classmethod
    def resolve(cls, value: "Profile | Mapping[str, Any] | str | Path | None", template: str | None = None,
                text: str = "") -> "Profile":
        """A profile from an instance, a dict (parsed TOML), a file path, a profile name, or — given
        None — the built-in profile of ``template`` whose ``detect`` labels appear in ``text``."""
        if isinstance(value, Profile):
            return value
        if value is None:
            if template is None:
                raise InvalidProfile("no rule profile given and no template to choose one by")
            return choose_profile(template, text)
        if isinstance(value, Mapping):
            return profile_from_dict(value, source="<dict>")
        return load_profile(value)


def choose_profile(template: str, text: str) -> Profile:
    """The built-in profile for a recognised form: a local variant whose header labels
    (``detect``) appear in the document, else the form's own profile."""
    from jixiao.text import compact

    flat = compact(text)
    candidates = [load_profile(name) for name in available_profiles()]
    for profile in candidates:
        if profile.template == template and profile.detect and any(compact(d) in flat for d in profile.detect):
            return profile
    return load_profile(template)


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path) -> Profile:
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise InvalidProfile(
            f"rule profile {str(name_or_path)!r} not found; built-in profiles: {', '.join(available_profiles())}"
        )
    stat = path.stat()
    return _parse_profile_file(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parse_profile_file(path: str, mtime_ns: int, size: int) -> Profile:
    """Parsed once per file version: every report is validated with a profile, and profiles are
    frozen. Keyed on modification time and size so that an edited file is read again."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidProfile(f"{path}: not valid TOML ({exc})") from exc
    return profile_from_dict(data, source=path)


_TOP_KEYS = {"name", "template", "description", "detect", "scoring", "qualitative", "tolerance", "grades", "bands",
             "assumptions", "classes", "special", "budget", "split", "total_points", "over_achievement_at",
             "deviation_required", "score_exceeds_weight", "confidence", "grade_bands"}
_TOLERANCES = {"score", "sum", "money", "execution_rate"}
_ASSUMPTIONS = {"echo_grade", "mixed_grade", "reverse_formula", "percent_readings", "execution_rate_indicator",
                "unmapped_grade"}


def profile_from_dict(data: Mapping[str, Any], source: str = "") -> Profile:
    """Parsed TOML → ``Profile``; any unknown or bad key raises ``InvalidProfile`` naming it."""
    where = source or "profile"
    _no_unknown(data, _TOP_KEYS, where, "")
    try:
        tol = dict(data.get("tolerance", {}))
        _no_unknown(tol, _TOLERANCES, where, "tolerance.")
        assume = dict(data.get("assumptions", {}))
        _no_unknown(assume, _ASSUMPTIONS, where, "assumptions.")
        classes = {}
        for cname, cdata in dict(data.get("classes", {})).items():
            _no_unknown(cdata, set(ClassRule.__dataclass_fields__), where, f"classes.{cname}.")
            try:
                classes[cname] = ClassRule(**{k: _typed(ClassRule, k, v) for k, v in cdata.items()})
            except (ValueError, TypeError) as exc:
                raise InvalidProfile(f"{where}: classes.{cname}: {exc}") from exc
        special = {}
        for sname, sdata in dict(data.get("special", {})).items():
            _no_unknown(sdata, set(SpecialRule.__dataclass_fields__), where, f"special.{sname}.")
            try:
                special[sname] = SpecialRule(**sdata)
            except (ValueError, TypeError) as exc:
                raise InvalidProfile(f"{where}: special.{sname}: {exc}") from exc
        kwargs: dict[str, Any] = {
            "name": _required_str(data, "name", where),
            "template": _required_str(data, "template", where),
            "description": str(data.get("description", "")),
            "detect": tuple(str(d) for d in data.get("detect", ())),
            "scoring": str(data.get("scoring", "band")),
            "qualitative": str(data.get("qualitative", "grades")),
            "grades": {str(k): _number(v, f"grades.{k}", where) for k, v in dict(data.get("grades", {})).items()},
            "bands": {str(k): _pair(v, f"bands.{k}", where) for k, v in dict(data.get("bands", {})).items()},
            "split": {str(k): _number(v, f"split.{k}", where) for k, v in dict(data.get("split", {})).items()},
            "deviation_required": bool(data.get("deviation_required", False)),
            "score_exceeds_weight": bool(data.get("score_exceeds_weight", False)),
            "confidence": str(data.get("confidence", "high")),
            "classes": classes,
            "special": special,
            "source": source,
        }
        if "grade_bands" in data:
            kwargs["grade_bands"] = {str(k): _pair(v, f"grade_bands.{k}", where)
                                     for k, v in dict(data["grade_bands"]).items()}
        for key in ("total_points", "over_achievement_at"):
            if key in data:
                kwargs[key] = _number(data[key], key, where)
        if "budget" in data:
            _no_unknown(data["budget"], set(BudgetRule.__dataclass_fields__), where, "budget.")
            kwargs["budget"] = BudgetRule(**{k: (_number(v, f"budget.{k}", where) if k != "rate_base" else v)
                                             for k, v in dict(data["budget"]).items()})
        for key in _TOLERANCES:
            if key in tol:
                kwargs[f"{key}_tolerance"] = _number(tol[key], f"tolerance.{key}", where)
        for key in _ASSUMPTIONS:
            if key in assume:
                value = assume[key]
                if key in ("percent_readings", "reverse_formula"):
                    kwargs[key] = (value,) if isinstance(value, str) else tuple(value)
                else:
                    kwargs[key] = str(value)
        return Profile(**kwargs)
    except InvalidProfile:
        raise
    except (ValueError, TypeError) as exc:
        raise InvalidProfile(f"{where}: {exc}") from exc


def _no_unknown(data: Any, allowed: set[str], where: str, prefix: str) -> None:
    if not isinstance(data, Mapping):
        raise InvalidProfile(f"{where}: {prefix.rstrip('.') or 'profile'} must be a table")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidProfile(f"{where}: unknown key {prefix}{unknown[0]} (allowed: {', '.join(sorted(allowed))})")


def _required_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidProfile(f"{where}: key {key} is required and must be a string")
    return value


def _number(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidProfile(f"{where}: {key} must be a number, not {value!r}")
    return float(value)


def _pair(value: Any, key: str, where: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InvalidProfile(f"{where}: {key} must be [low, high]")
    return _number(value[0], key, where), _number(value[1], key, where)


def _typed(cls: type, key: str, value: Any) -> Any:
    if key in ("full_from", "full_to", "shortfall_per_point", "excess_per_point"):
        return _number(value, key, cls.__name__)
    return value
