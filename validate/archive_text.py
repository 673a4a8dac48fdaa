"""The pure text rules the archive findings stand on: which reports are one project, which rows are one
indicator, how demanding a 目标值 is, and whether a 偏差原因 says the work fell short.

Nothing here touches a store; validate/checks.py and validate/archive.py both use these functions.
"""

from __future__ import annotations

import re
import unicodedata

from jixiao.model import Value
from normalize.values import parse_value

# A year printed before or after a project name: 2021年, 2022年度, (2023年度), （2023年）, 2021, 2021年项目 is not.
_YEAR_HEAD = re.compile(r"^[(\[【]?(?:19|20)\d{2}\s*(?:年度|年)?[)\]】]?")
_YEAR_TAIL = re.compile(r"[(\[【]?(?:19|20)\d{2}\s*(?:年度|年)?[)\]】]?$")
# A project code glued before the name: 51000021R000000019951-工资性支出 (digits, maybe letters, then a separator).
_CODE = re.compile(r"^([0-9A-Za-z]{12,40})\s*[-_:：—–\s]+\s*(\S.*)$")


def fold(text: str | None) -> str:
    """NFKC (full-width → half-width), whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _bare(text: str) -> str:
    """Letters, digits and CJK only: spacing, punctuation and symbols dropped (after ``fold``)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def split_code(name: str | None) -> tuple[str | None, str]:
    """``51000021R000000019951-工资性支出`` → (code, name); a name without a code → (None, name).

    A code is a run of 12 or more letters and digits, at least 10 of them digits, before a separator."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    match = _CODE.match(text)
    if match and sum(ch.isdigit() for ch in match.group(1)) >= 10:
        return match.group(1).upper(), match.group(2).strip()
    return None, text


def project_name_key(name: str | None) -> str:
    """A project name with its leading or trailing year (2021年, 2022年度, (2023年度)) and all spacing and
    punctuation removed, full-width folded: ``农村学校 营养改善计划（2022年度）`` → ``农村学校营养改善计划``."""
    text = fold(split_code(name)[1])
    for _ in range(2):  # a year on both ends, or a year and its bracket
        text = _YEAR_TAIL.sub("", _YEAR_HEAD.sub("", text))
    return _bare(text)


def project_key(department: str | None, name: str | None, code: str | None = None) -> str | None:
    """The key of a report's project series: ``code:<code>`` where a project code is given or printed
    before the name, else ``<department>|<name>`` (both normalised as ``project_name_key``); None without
    a name."""
    code = code or split_code(name)[0]
    if code:
        return f"code:{fold(code).upper()}"
    key = project_name_key(name)
    if not key:
        return None
    return f"{_bare(fold(department))}|{key}"


def indicator_key(name: str | None) -> str:
    """An indicator's name for matching across years: folded, spacing and punctuation removed."""
    return _bare(fold(name))


# ----------------------------------------------------------------------------------------------
# How demanding a target is
# ----------------------------------------------------------------------------------------------
def target_demand(text: str | None) -> tuple[str, float, str] | None:
    """(direction, number, unit) of a 目标值, or None for a word or a blank.

    direction: ``up`` (≥, >, = or no operator: more is better) or ``down`` (≤, <, and a zero target =0:
    less is better)."""
    value = parse_value(text or "")
    if value.number is None or value.op is None:
        return None
    down = value.op == "<=" or (value.op == "=" and value.number == 0)
    return ("down" if down else "up"), value.number, value.unit


def lowered(earlier: str | None, later: str | None) -> bool:
    """True when ``later`` asks less than ``earlier``: ≥95% → ≥90%, ≥500个 → ≥400个, ≤30万元 → ≤35万元.
    A raised or unchanged target, a change of direction or unit, or a word is not lowered."""
    a, b = target_demand(earlier), target_demand(later)
    if a is None or b is None or a[0] != b[0] or a[2] != b[2]:
        return False
    return b[1] < a[1] if a[0] == "up" else b[1] > a[1]


# ----------------------------------------------------------------------------------------------
# Fell short: by the figures, by the actual's word, by the row's own reason
# ----------------------------------------------------------------------------------------------
def read_figures(target: Value, actual: Value) -> tuple[float, float, str | None] | None:
    """(target, actual, note) as compared, or None when they cannot be: no figures, a negative one, or
    different units.  A ``%`` target against an actual printed without a unit and at most 1 reads the actual
    as a fraction (0.96 = 96%; the note says so), when the target itself is above 1%: against a target of
    1% or less (≤0.5%) a bare 0.3 may as well be 0.3%, so the two are not comparable."""
    t, a = target.number, actual.number
    if t is None or a is None or target.op is None or t < 0 or a < 0:
        return None
    if target.unit == "%" and not actual.unit and a <= 1:
        if t <= 1:
            return None
        return t, a * 100, f"实际完成值 {actual.text} 无单位, 按比例读作 {a * 100:g}%"
    if target.unit and actual.unit and target.unit != actual.unit:
        return None
    return t, a, None


def short_by_figures(target: Value, actual: Value) -> bool:
    """The actual misses its target by the operator's reading (the same reading the rescoring uses):
    ≥/=: actual < target; ≤: actual > target; =0: actual ≠ 0.  Figures read as ``read_figures`` reads them
    (a bare 0.96 against ≥95% is 96%); different units or no figures: False."""
    figures = read_figures(target, actual)
    if figures is None:
        return False
    t, a, _ = figures
    if target.op == "<=":
        return a > t
    if target.op == "=" and t == 0:
        return a != 0
    return a < t


# Words that say the work fell short, longest first so that 部分完成 is found before 完成-free words.
SHORTFALL_WORDS = ("未全部完成", "无法完成", "无法按期", "无法达到", "没有完成", "没有达到", "未能完成", "未能达到", "部分完成", "未完成", "未达到",
                   "未达成", "未实现", "未按期", "未按时", "未按计划", "未如期", "没有按期", "未到位", "尚未", "滞后", "延期",
                   "推迟", "未能")
# 尚未 and 未能 say the work fell short only before a word of doing it (尚未完工, 未能到位), not 尚未发布 (a
# statistic not yet published says nothing of the work).
_OF_DOING = ("完成", "达到", "达成", "达标", "实施", "开展", "到位", "完工", "竣工", "建成", "开工", "验收", "交付",
             "启动", "落实", "拨付", "支付", "结算", "实现", "投入", "按期", "按时", "如期", "全部")
# Words that deny a shortfall word they govern: 无滞后, 不存在滞后, 未出现延期, 没有未完成; between the two
# only the words naming what was (not) late may stand (不存在进度滞后, 未出现任何工期延误).  A 无 that governs
# something else (因设备无货未完成: no stock) denies nothing.
NEGATIONS = ("不存在", "不会", "不再", "未出现", "未发现", "未发生", "没有", "无", "杜绝", "避免", "防止", "未见")
_GOVERNED = ("进度", "工期", "工程", "项目", "任务", "建设", "施工", "资金", "拨付", "任何", "明显", "重大", "严重",
             "出现", "发生", "存在", "的")
_DENIED = re.compile("(?:" + "|".join(sorted(NEGATIONS, key=len, reverse=True)) + ")(?:"
                     + "|".join(_GOVERNED) + ")*$")
# Whole phrases that say nothing fell short (checked first, then removed): 无偏差, 已完成 and the like.
NO_SHORTFALL = ("无偏差", "未发现偏差", "没有偏差", "不存在偏差", "未产生偏差", "无", "/", "—")
_SENTENCE = re.compile(r"[。！!？?\n]")
_CLAUSE = re.compile(r"[。；;！!？?\n，,、]")
_NOT_A_NEGATION = ("无法",)
# A delay the same sentence says was made good after it: 前期进度滞后，已于年底前全部完成; 原计划推迟的验收已完成;
# 延期开工，但按期完成.  Only 滞后 / 推迟 / 延期 are cancelled so (未完成 stays 未完成), and not by a
# part (已完成60%), a denial (已开工但未完成) or an intention (确保按期完成).
_RECOVERABLE = ("滞后", "推迟", "延期")
_RECOVERED = re.compile(r"已[^。！!？?\n，,；;]{0,12}?完成|(?:按期|如期|按时)完成")
_NOT_RECOVERED = ("未", "没", "不", "尚", "无法", "难以", "部分", "将", "确保", "力争", "争取", "预计", "计划于",
                  "拟", "有望", "需", "待")


def _recovered(rest: str) -> bool:
    """``rest`` (what follows a delay word in its sentence) says the work was finished all the same."""
    for match in _RECOVERED.finditer(rest):
        clause_start = max(rest.rfind(ch, 0, match.start()) for ch in "，,；;、") + 1
        lead = rest[clause_start:match.start()] + match.group()[:-2]  # the clause up to the 完成
        after = rest[match.end():]
        if any(word in lead for word in _NOT_RECOVERED):
            continue
        if re.match(r"\d", after) and not re.match(r"100(?:\.0+)?%", after):  # 已完成60%: a part
            continue
        return True
    return False


def shortfall_word(text: str | None) -> str | None:
    """The first word of a 偏差原因 / 未完成原因 that says the row fell short (未完成, 未达到, 滞后, 尚未,
    部分完成 …), or None: none found, each one denied by a negation governing it (无滞后, 不存在进度滞后,
    未出现延期), or a delay (滞后, 推迟, 延期) the rest of its sentence says was made good (已于年底前全部完成)."""
    folded = fold(text)
    if not folded or folded in NO_SHORTFALL:
        return None
    for sentence in _SENTENCE.split(folded):
        offset = 0
        for clause in _CLAUSE.split(sentence):
            start_of_clause, offset = offset, offset + len(clause) + 1
            probe = clause
            for phrase in _NOT_A_NEGATION:  # 无法按期完成 is a shortfall, not a denial
                probe = probe.replace(phrase, "＃" * len(phrase))
            for word in SHORTFALL_WORDS:
                start = clause.find(word)
                while start >= 0:
                    after = clause[start + len(word):]
                    if word in ("尚未", "未能") and not after.startswith(_OF_DOING):
                        pass
                    elif _DENIED.search(probe[max(0, start - 12):start]):
                        pass
                    elif word in _RECOVERABLE and _recovered(sentence[start_of_clause + start + len(word):]):
                        pass
                    else:
                        return word
                    start = clause.find(word, start + len(word))
    return None


def short_by_word(actual: Value) -> str | None:
    """The actual's own word says it fell short: 部分达成年度指标…, 未达成年度指标, 未完成."""
    text = fold(actual.text)
    return next((w for w in ("未达成", "部分达成", "未完成", "部分完成", "未达到") if w in text), None)


# ----------------------------------------------------------------------------------------------
# Narrative: the text compared across reports
# ----------------------------------------------------------------------------------------------
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def narrative_key(text: str | None) -> str:
    """A narrative for comparison: NFKC, whitespace removed, every figure (years, amounts, rates) → ``0``."""
    return _FIGURE.sub("0", fold(text))


def trimmed(text: str | None, limit: int = 120) -> str:
    """A text on one line, cut to ``limit`` characters with … where it was cut."""
    one = re.sub(r"\s+", " ", text or "").strip()
    return one if len(one) <= limit else one[: limit - 1] + "…"
