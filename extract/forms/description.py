"""Form descriptions: a report form as data (``extract/forms/<name>.toml``), validated when loaded.

A description says how to recognise the form (labels only it prints), which header labels each
column role may carry, where its header fields, money block, goal block and narrative cells are,
what its total row is called, and which rule profile scores it. The one engine
(``extract.forms.engine``) reads any document through a description; a new form is a new file.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from jixiao.errors import JixiaoError

FORM_DIR = Path(__file__).resolve().parent
# Column roles of an indicator table. One vocabulary for every form; a description gives the labels.
INDICATOR_ROLES = ("class", "subclass", "name", "nature", "unit", "actual", "target", "target_adjusted", "weight",
                   "score", "coefficient", "reason", "core")
BUDGET_ROLES = ("initial_budget", "full_year_budget", "executed", "weight", "execution_rate", "reported_score")
VALUE_ROLES = ("nature", "target", "actual", "weight", "score", "coefficient")
SECTION_KEYS_ALLOWED = ("项目概况", "项目总目标", "年度绩效目标", "项目实施情况", "项目管理成效", "存在问题", "建议",
                        "年度总体目标", "总体目标完成情况", "自评结论", "other")


class InvalidForm(JixiaoError, ValueError):
    """A form description (TOML) has a missing or bad key."""

    code = "invalid_form"


@dataclass(frozen=True)
class BudgetPart:
    """The money block read as rows × columns (项目资金 / 预算执行情况)."""

    columns: dict[str, tuple[str, ...]]
    items: dict[str, str]                   # printed row label → item name in budget_lines
    needs: tuple[str, ...] = ("executed",)  # roles the header row must have
    one_of: tuple[str, ...] = ("initial_budget", "full_year_budget")
    single_item: str | None = None          # a block of one unlabelled row of figures
    max_rows: int = 8


@dataclass(frozen=True)
class FormDescription:
    name: str
    description: str
    profile: str | None
    scope: str = "project"
    recognise: tuple[str, ...] = ()
    min_hits: int = 4
    parser: str | None = None  # "module:function" for a form still read by its own parser
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required_fields: tuple[str, ...] = ("name", "year", "department")
    year_pattern: str = r"((?:19|20)\d{2})\s*年度"
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    header_needs: tuple[str, ...] = ("name",)
    header_min_values: int = 2
    class_words: tuple[str, ...] = ()  # a class cell must hold one of these to start a class (empty: any)
    total_labels: tuple[str, ...] = ("合计", "总分", "总计")
    total_name: str = "总分"
    total_fields: tuple[str, ...] = ()  # a label cell holding the total (自评总分(分) | 92.5), outside the table
    budget: BudgetPart | None = None
    budget_required: bool = False
    goals: dict[str, str] = field(default_factory=dict)     # sub-header label → section key (text below)
    sections: dict[str, str] = field(default_factory=dict)  # label cell → section key (text right of it)
    goal_required: str | None = None
    source: str = ""


_TOP = {"name", "description", "profile", "scope", "recognise", "min_hits", "parser", "fields", "required_fields",
        "year_pattern", "indicators", "budget", "goals", "sections", "goal_required", "budget_required"}
_INDICATORS = {"columns", "header_needs", "header_min_values", "class_words", "total_labels", "total_name",
               "total_fields"}
_BUDGET = {"columns", "items", "needs", "one_of", "single_item", "max_rows"}
_FIELDS = {"name", "department", "implementing_unit", "year"}


def _labels(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidForm(f"{where}: {key} must be a list of labels (strings)")
    return tuple(value)


def _table(data: Any, allowed: set[str] | tuple[str, ...] | None, where: str, key: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidForm(f"{where}: {key} must be a table")
    if allowed is not None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            name = unknown[0] if key == "form" else f"{key}.{unknown[0]}"
            raise InvalidForm(f"{where}: unknown key {name} (allowed: {', '.join(sorted(allowed))})")
    return dict(data)


def form_from_dict(data: Mapping[str, Any], source: str = "") -> FormDescription:
    """Parsed TOML → ``FormDescription``; an unknown or bad key raises ``InvalidForm`` naming it."""
    where = source or "form"
    top = _table(data, _TOP, where, "form")
    name = top.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidForm(f"{where}: key name is required and must be a string")
    scope = top.get("scope", "project")
    if scope not in ("project", "department"):
        raise InvalidForm(f"{where}: scope must be 'project' or 'department', not {scope!r}")
    kwargs: dict[str, Any] = {"name": name, "description": str(top.get("description", "")),
                              "profile": top.get("profile"), "scope": scope, "source": source}
    if "recognise" in top:
        kwargs["recognise"] = _labels(top["recognise"], "recognise", where)
    if "min_hits" in top:
        if not isinstance(top["min_hits"], int) or top["min_hits"] < 1:
            raise InvalidForm(f"{where}: min_hits must be a whole number ≥ 1")
        kwargs["min_hits"] = top["min_hits"]
    if "parser" in top:
        if not isinstance(top["parser"], str) or ":" not in top["parser"]:
            raise InvalidForm(f"{where}: parser must be 'module:function'")
        kwargs["parser"] = top["parser"]
    for key in ("year_pattern", "goal_required"):
        if key in top:
            kwargs[key] = str(top[key])
    if "budget_required" in top:
        kwargs["budget_required"] = bool(top["budget_required"])
    fields_ = _table(top.get("fields", {}), _FIELDS, where, "fields")
    kwargs["fields"] = {k: _labels(v, f"fields.{k}", where) for k, v in fields_.items()}
    if "required_fields" in top:
        kwargs["required_fields"] = _labels(top["required_fields"], "required_fields", where)
    ind = _table(top.get("indicators", {}), _INDICATORS, where, "indicators")
    columns = _table(ind.get("columns", {}), INDICATOR_ROLES, where, "indicators.columns")
    kwargs["columns"] = {k: _labels(v, f"indicators.columns.{k}", where) for k, v in columns.items()}
    if "parser" not in kwargs and "name" not in kwargs["columns"]:
        raise InvalidForm(f"{where}: indicators.columns.name is required (the header labels of the indicator name)")
    for key in ("header_needs", "class_words", "total_labels", "total_fields"):
        if key in ind:
            kwargs[key] = _labels(ind[key], f"indicators.{key}", where)
    for role in kwargs.get("header_needs", ()):
        if role not in INDICATOR_ROLES:
            raise InvalidForm(f"{where}: indicators.header_needs: unknown role {role!r}")
    if "header_min_values" in ind:
        kwargs["header_min_values"] = int(ind["header_min_values"])
    if "total_name" in ind:
        kwargs["total_name"] = str(ind["total_name"])
    if "budget" in top:
        b = _table(top["budget"], _BUDGET, where, "budget")
        bcols = _table(b.get("columns", {}), BUDGET_ROLES, where, "budget.columns")
        items = _table(b.get("items", {}), None, where, "budget.items")
        part: dict[str, Any] = {
            "columns": {k: _labels(v, f"budget.columns.{k}", where) for k, v in bcols.items()},
            "items": {str(k): str(v) for k, v in items.items()},
        }
        for key in ("needs", "one_of"):
            if key in b:
                part[key] = _labels(b[key], f"budget.{key}", where) if b[key] else ()
        if "single_item" in b:
            part["single_item"] = str(b["single_item"])
        if "max_rows" in b:
            part["max_rows"] = int(b["max_rows"])
        kwargs["budget"] = BudgetPart(**part)
    for key in ("goals", "sections"):
        table = _table(top.get(key, {}), None, where, key)
        for label, section in table.items():
            if section not in SECTION_KEYS_ALLOWED:
                raise InvalidForm(f"{where}: {key}.{label}: {section!r} is not a section key "
                                  f"({', '.join(SECTION_KEYS_ALLOWED)})")
        kwargs[key] = {str(k): str(v) for k, v in table.items()}
    return FormDescription(**kwargs)


def builtin_forms() -> list[str]:
    return sorted(p.stem for p in FORM_DIR.glob("*.toml"))


@functools.lru_cache(maxsize=64)
def _parse(path: str, mtime_ns: int, size: int) -> FormDescription:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidForm(f"{path}: not valid TOML ({exc})") from exc
    return form_from_dict(data, source=path)


def load_form(name_or_path: str | Path) -> FormDescription:
    """A built-in form by name, or a description file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = FORM_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise InvalidForm(f"form {str(name_or_path)!r} not found; built-in forms: {', '.join(builtin_forms())}")
    stat = path.stat()
    return _parse(str(path), stat.st_mtime_ns, stat.st_size)


def forms_in(folders: tuple[Path, ...] = ()) -> list[FormDescription]:
    """The built-in forms, then those in ``folders`` (a user's own: a file of the same name wins)."""
    by_name = {f.name: f for f in (load_form(n) for n in builtin_forms())}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.toml")):
            form = load_form(path)
            by_name[form.name] = form
    return list(by_name.values())
