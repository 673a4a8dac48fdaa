"""Form descriptions: a report form as data (``extract/forms/<name>.toml``), validated when loaded.

A description says how to recognise the form (labels only it prints), which header labels each
column role may carry, where its header fields, money block (rows × columns in ``[budget]``, or
label over figure in ``[money]``), 子项目, goal block and narrative (label cells, or sections walked
in reading order in ``[narrative]``) are, what its total row is called, and which rule profile
scores it. The one engine (``extract.forms.engine``, with ``extract.forms.parts``) reads any document
through a description; a new form is a new file.
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
from jixiao.model import BUDGET_KEYS

FORM_DIR = Path(__file__).resolve().parent
# Column roles of an indicator table. One vocabulary for every form; a description gives the labels.
INDICATOR_ROLES = ("class", "subclass", "name", "nature", "unit", "actual", "target", "target_adjusted", "weight",
                   "score", "coefficient", "reason", "remark", "core")
BUDGET_ROLES = ("initial_budget", "full_year_budget", "executed", "weight", "execution_rate", "reported_score")
VALUE_ROLES = ("nature", "target", "actual", "weight", "score", "coefficient")
SECTION_KEYS_ALLOWED = ("项目概况", "项目总目标", "年度绩效目标", "项目实施情况", "项目管理成效", "存在问题", "建议",
                        "年度总体目标", "总体目标完成情况", "自评结论", "other")
# How a header cell fits a column label: it starts with it (分值 fits 分值(分)), or contains it anywhere
# (the Suzhou form's 指标名称(三级指标)); "=WORD" is that word only under either rule.
MATCH_RULES = ("prefix", "substring")
# Where a row's class label is: its class column (and class rows), or any cell left of the name column.
CLASS_SOURCES = ("column", "left_cells")
# A table after a page break: a header row there re-reads the columns ("headers"), or the table keeps
# the header's columns, lined up on the right where its width differs ("right").
CONTINUATIONS = ("headers", "right")
MONEY_KINDS = ("below",)  # each money label's figure is the first one below it, in its columns


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
class MoneyPart:
    """The money block read as label → figure (市级预算执行情况: 年初预算数 over its figure)."""

    labels: dict[str, tuple[str, ...]]      # budget key → exact labels, tried in this order (specific first)
    substrings: dict[str, str] = field(default_factory=dict)  # budget key → a part that identifies its label
    kind: str = "below"
    unit_labels: tuple[str, ...] = ()       # a label holding one of these gives the unit: 预算执行情况(万元)
    copies: str | None = None               # the key printed more than once, every figure kept (财政拨款数)


@dataclass(frozen=True)
class SubprojectPart:
    """项目资金构成: a 子项目 per row under 子项目名称 / 金额 headers, 合计 as subprojects_total."""

    title: str                              # the part's label; missing_part names it
    name: tuple[str, ...]                   # header labels of the name column (contained; "=…" that word)
    amount: tuple[str, ...]
    total: tuple[str, ...] = ("合计", "总计")


@dataclass(frozen=True)
class FormDescription:
    name: str
    description: str
    profile: str | None
    scope: str = "project"
    recognise: tuple[str, ...] = ()
    min_hits: int = 4
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required_fields: tuple[str, ...] = ("name", "year", "department")
    year_pattern: str = r"((?:19|20)\d{2})\s*年度"  # "" where the year is only read from its field
    always_fields: tuple[str, ...] = ("implementing_unit",)  # record keys even where the form prints no label
    # A text dump's rows placed under their header by what their cells hold (extract/forms/align.py);
    # false where the reader's right-edge alignment is the form's own (the Suzhou text dumps).
    align_text: str = "roles"  # rows of text tables that lost cells: "roles" (by what they hold) or "right"
    missing_labels: dict[str, str] = field(default_factory=dict)  # field → label named in its missing_part
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    match: str = "prefix"
    header_needs: tuple[str, ...] = ("name",)
    header_one_of: tuple[str, ...] = ()  # the header row must show at least one of these roles too
    header_min_values: int = 2
    class_words: tuple[str, ...] = ()  # a class cell must hold one of these to start a class (empty: any)
    class_from: str = "column"
    section_words: tuple[str, ...] = ()  # left_cells: a cell holding one is the section label (section_points)
    continuation: str = "headers"
    end_labels: tuple[str, ...] = ()   # a row printing one ends the table (as do the narrative's labels)
    total_last_cell: bool = False      # a 合计 row with no score: its last printed text is the total
    total_labels: tuple[str, ...] = ("合计", "总分", "总计")
    total_name: str = "总分"
    total_fields: tuple[str, ...] = ()  # a label cell holding the total (自评总分(分) | 92.5), outside the table
    budget: BudgetPart | None = None
    budget_required: bool = False
    goals: dict[str, str] = field(default_factory=dict)     # sub-header label → section key (text below)
    sections: dict[str, str] = field(default_factory=dict)  # label cell → section key (text right of it)
    goal_required: str | None = None
    money: MoneyPart | None = None
    subprojects: SubprojectPart | None = None
    narrative: dict[str, tuple[str, ...]] = field(default_factory=dict)  # section key → labels, walked in order
    source: str = ""


_TOP = {"name", "description", "profile", "scope", "recognise", "min_hits", "fields", "required_fields",
        "year_pattern", "indicators", "budget", "goals", "sections", "goal_required", "budget_required",
        "always_fields", "missing_labels", "money", "subprojects", "narrative", "align_text"}
_INDICATORS = {"columns", "header_needs", "header_min_values", "class_words", "total_labels", "total_name",
               "total_fields", "match", "header_one_of", "class_from", "section_words", "continuation",
               "end_labels", "total_last_cell"}
_BUDGET = {"columns", "items", "needs", "one_of", "single_item", "max_rows"}
_MONEY = {"kind", "labels", "substrings", "unit_labels", "copies"}
_SUBPROJECTS = {"title", "name", "amount", "total"}
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


def _choice(value: Any, allowed: tuple[str, ...], key: str, where: str) -> str:
    if value not in allowed:
        raise InvalidForm(f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _roles(value: Any, key: str, where: str) -> tuple[str, ...]:
    roles = _labels(value, key, where) if value else ()
    for role in roles:
        if role not in INDICATOR_ROLES:
            raise InvalidForm(f"{where}: {key}: unknown role {role!r}")
    return roles


def _field_keys(value: Any, key: str, where: str) -> tuple[str, ...]:
    keys = _labels(value, key, where) if value else ()
    for name in keys:
        if name not in _FIELDS:
            raise InvalidForm(f"{where}: {key}: unknown field {name!r} ({', '.join(sorted(_FIELDS))})")
    return keys


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
    for key in ("year_pattern", "goal_required"):
        if key in top:
            kwargs[key] = str(top[key])
    if "align_text" in top:
        if top["align_text"] not in ("roles", "right"):
            raise InvalidForm(f"{where}: align_text must be \"roles\" or \"right\", not {top['align_text']!r}")
        kwargs["align_text"] = top["align_text"]
    for key in ("budget_required",):
        if key in top:
            kwargs[key] = bool(top[key])
    fields_ = _table(top.get("fields", {}), _FIELDS, where, "fields")
    kwargs["fields"] = {k: _labels(v, f"fields.{k}", where) for k, v in fields_.items()}
    if "required_fields" in top:
        kwargs["required_fields"] = _labels(top["required_fields"], "required_fields", where)
    if "always_fields" in top:
        kwargs["always_fields"] = _field_keys(top["always_fields"], "always_fields", where)
    if "missing_labels" in top:
        labels = _table(top["missing_labels"], _FIELDS, where, "missing_labels")
        kwargs["missing_labels"] = {k: _labels(v, f"missing_labels.{k}", where)[0] for k, v in labels.items()}
    kwargs.update(_indicators_of(_table(top.get("indicators", {}), _INDICATORS, where, "indicators"), where))
    if "name" not in kwargs["columns"]:
        raise InvalidForm(f"{where}: indicators.columns.name is required (the header labels of the indicator name)")
    if "budget" in top:
        kwargs["budget"] = _budget_of(_table(top["budget"], _BUDGET, where, "budget"), where)
    if "money" in top:
        kwargs["money"] = _money_of(_table(top["money"], _MONEY, where, "money"), where)
    if "subprojects" in top:
        kwargs["subprojects"] = _subprojects_of(_table(top["subprojects"], _SUBPROJECTS, where, "subprojects"), where)
    for key in ("goals", "sections"):
        table = _table(top.get(key, {}), None, where, key)
        for label, section in table.items():
            _section_key(section, f"{key}.{label}", where)
        kwargs[key] = {str(k): str(v) for k, v in table.items()}
    if "narrative" in top:
        table = _table(top["narrative"], SECTION_KEYS_ALLOWED[:-1], where, "narrative")  # "other" has no labels
        kwargs["narrative"] = {str(k): _labels(v, f"narrative.{k}", where) for k, v in table.items()}
    return FormDescription(**kwargs)


def _section_key(section: Any, key: str, where: str) -> str:
    if section not in SECTION_KEYS_ALLOWED:
        raise InvalidForm(f"{where}: {key}: {section!r} is not a section key ({', '.join(SECTION_KEYS_ALLOWED)})")
    return str(section)


def _indicators_of(ind: dict[str, Any], where: str) -> dict[str, Any]:
    """``[indicators]`` → the FormDescription keys it sets."""
    columns = _table(ind.get("columns", {}), INDICATOR_ROLES, where, "indicators.columns")
    out: dict[str, Any] = {"columns": {k: _labels(v, f"indicators.columns.{k}", where) for k, v in columns.items()}}
    for key in ("class_words", "total_labels", "total_fields", "section_words", "end_labels"):
        if key in ind:
            out[key] = _labels(ind[key], f"indicators.{key}", where)
    for key in ("header_needs", "header_one_of"):
        if key in ind:
            out[key] = _roles(ind[key], f"indicators.{key}", where)
    for key, allowed in (("match", MATCH_RULES), ("class_from", CLASS_SOURCES), ("continuation", CONTINUATIONS)):
        if key in ind:
            out[key] = _choice(ind[key], allowed, f"indicators.{key}", where)
    if "header_min_values" in ind:
        out["header_min_values"] = int(ind["header_min_values"])
    if "total_name" in ind:
        out["total_name"] = str(ind["total_name"])
    if "total_last_cell" in ind:
        out["total_last_cell"] = bool(ind["total_last_cell"])
    return out


def _budget_of(b: dict[str, Any], where: str) -> BudgetPart:
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
    return BudgetPart(**part)


def _money_of(m: dict[str, Any], where: str) -> MoneyPart:
    labels = _table(m.get("labels", {}), BUDGET_KEYS, where, "money.labels")
    if not labels:
        raise InvalidForm(f"{where}: money.labels is required (budget key → its printed labels)")
    substrings = _table(m.get("substrings", {}), tuple(labels), where, "money.substrings")
    part: dict[str, Any] = {
        "labels": {k: _labels(v, f"money.labels.{k}", where) for k, v in labels.items()},
        "substrings": {k: _labels(v, f"money.substrings.{k}", where)[0] for k, v in substrings.items()},
        "kind": _choice(m.get("kind", "below"), MONEY_KINDS, "money.kind", where),
    }
    if "unit_labels" in m:
        part["unit_labels"] = _labels(m["unit_labels"], "money.unit_labels", where)
    if "copies" in m:
        part["copies"] = _choice(m["copies"], tuple(labels), "money.copies", where)
    return MoneyPart(**part)


def _subprojects_of(s: dict[str, Any], where: str) -> SubprojectPart:
    for key in ("title", "name", "amount"):
        if key not in s:
            raise InvalidForm(f"{where}: subprojects.{key} is required")
    part: dict[str, Any] = {"title": _labels(s["title"], "subprojects.title", where)[0],
                            "name": _labels(s["name"], "subprojects.name", where),
                            "amount": _labels(s["amount"], "subprojects.amount", where)}
    if "total" in s:
        part["total"] = _labels(s["total"], "subprojects.total", where)
    return SubprojectPart(**part)


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
