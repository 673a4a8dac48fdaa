"""Rule profiles: a form's scoring rules as validated data, loaded from TOML.

A profile is data, not code: a new form or a local variant is a new TOML file. Loading
checks every key and names the bad one, so that an edited profile fails on load and not
halfway through a run.
"""

from __future__ import annotations

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
PERCENT_READINGS = ("completion", "difference")
CONFIDENCES = ("high", "low")


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
class Profile:
    name: str
    template: str
    description: str = ""
    score_tolerance: float = 0.05
    sum_tolerance: float = 0.01
    money_tolerance: float = 0.01
    execution_rate_tolerance: float = 1.0
    grades: Mapping[str, float] = field(default_factory=dict)
    echo_grade: str = "好"
    mixed_grade: str = "好"
    reverse_formula: str = "ratio"
    percent_readings: tuple[str, ...] = ("completion",)
    execution_rate_indicator: str = "预算执行率"
    classes: Mapping[str, ClassRule] = field(default_factory=dict)
    special: Mapping[str, SpecialRule] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if not self.classes:
            raise ValueError("classes: at least one indicator class is needed")
        for grade in (self.echo_grade, self.mixed_grade):
            if grade not in self.grades:
                raise ValueError(f"assumptions: grade {grade!r} is not in [grades]")
        if self.reverse_formula not in REVERSE_FORMULAS:
            raise ValueError(f"assumptions.reverse_formula must be one of {REVERSE_FORMULAS}")
        bad = [r for r in self.percent_readings if r not in PERCENT_READINGS]
        if bad or not self.percent_readings:
            raise ValueError(f"assumptions.percent_readings must be a non-empty subset of {PERCENT_READINGS}")
        for grade, share in self.grades.items():
            if not 0 <= share <= 1:
                raise ValueError(f"grades.{grade} must be between 0 and 1")

    def special_for(self, indicator_name: str) -> SpecialRule | None:
        return next((rule for key, rule in self.special.items() if key in indicator_name), None)

    @classmethod
    def resolve(cls, value: "Profile | Mapping[str, Any] | str | Path | None", template: str | None = None) -> "Profile":
        """A profile from an instance, a dict (parsed TOML), a file path, a profile name, or the template's default."""
        if isinstance(value, Profile):
            return value
        if value is None:
            if template is None:
                raise InvalidProfile("no rule profile given and no template to choose one by")
            return load_profile(template)
        if isinstance(value, Mapping):
            return profile_from_dict(value, source="<dict>")
        return load_profile(value)


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidProfile(f"{path}: not valid TOML ({exc})") from exc
    return profile_from_dict(data, source=str(path))


_TOP_KEYS = {"name", "template", "description", "tolerance", "grades", "assumptions", "classes", "special"}
_TOLERANCES = {"score", "sum", "money", "execution_rate"}
_ASSUMPTIONS = {"echo_grade", "mixed_grade", "reverse_formula", "percent_readings", "execution_rate_indicator"}


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
            "grades": {str(k): _number(v, f"grades.{k}", where) for k, v in dict(data.get("grades", {})).items()},
            "classes": classes,
            "special": special,
            "source": source,
        }
        for key in _TOLERANCES:
            if key in tol:
                kwargs[f"{key}_tolerance"] = _number(tol[key], f"tolerance.{key}", where)
        for key in _ASSUMPTIONS:
            if key in assume:
                kwargs[key] = tuple(assume[key]) if key == "percent_readings" else str(assume[key])
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


def _typed(cls: type, key: str, value: Any) -> Any:
    if key in ("full_from", "full_to", "shortfall_per_point", "excess_per_point"):
        return _number(value, key, cls.__name__)
    return value
