"""Prose self-evaluation reports (绩效自评报告): sections by their headings, and what the text states.

Real reports are plain paragraphs whose headings are known by their numbering (一、 / （一） / 1. /
（1） / ①), sometimes by a Word heading style. A section runs from a top-level heading to the next
one, its sub-headings and their text kept. Headings map onto the contract's section keys by their
words; every other top-level section is kept under ``sections_other``, so no text is lost. Page
furniture (site navigation, 索引号 / 发布日期 lines, page numbers, running headers) is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from jixiao.model import Document, Paragraph
from jixiao.text import compact

_LEVELS = (
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]\s*")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]\s*")),
    (3, re.compile(r"^\d{1,2}\s*[.．、](?!\d)\s*")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*")),
    (5, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩]\s*")),
)
# The longest heading text taken as a heading; longer numbered paragraphs are list items of the text.
MAX_HEADING = 40
# Heading words → section key, most specific first; the first key a heading names wins
# (一、项目基本情况及自评结论 → 项目概况).
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("项目概况", ("基本情况", "项目概况", "基本概况", "项目简介", "单位概况", "部门概况")),
    ("年度绩效目标", ("绩效目标", "年度目标", "预期目标")),
    ("项目实施情况", ("项目实施情况", "实施情况", "实施内容", "项目实施")),
    ("自评结论", ("自评结论", "评价结论", "自评结果", "评价结果")),
    ("存在问题", ("存在的问题", "存在问题", "主要问题", "问题及原因")),
    ("建议", ("改进措施", "整改措施", "改进建议", "意见建议", "工作计划", "下一步", "建议")),
)
_FURNITURE = re.compile(
    r"^(?:[-•·*]\s*)?(?:索引号|发布机构|发布日期|发文日期|文号|时效性|主题分类|来源|浏览次数|阅读次数|点击数|字号|"
    r"打印|关闭|分享到|当前位置|您当前的位置|首页\s*[>›»]|【\s*[大中小]\s*】)")
_PAGE_NUMBER = re.compile(r"^(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|[-—–]\s*\d+\s*[-—–]|\d{1,3}|\d+\s*/\s*\d+)$")
_SENTENCE_END = ("。", "！", "？", "!", "?", "；", ";", "：", ":", "”", "」")
_TITLE = re.compile(r"(自评报告|评价报告|自评情况报告|自评工作报告)\s*$")
_TITLE_PARTS = re.compile(r"^(?P<unit>.*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<rest>.*)$")

# The stated total: 自评得分97分, 综合自评得分95.5分, 总得分为92分, 自评总分：88分.
_TOTAL = re.compile(r"(?P<lead>综合|总体|整体|最终|项目|部门)?(?P<kind>自评总分|自评得分|评价得分|总得分|综合得分|得分)"
                    r"\s*(?:为|是|达|:|：)?\s*(?P<n>\d{1,3}(?:\.\d+)?)\s*分")
# A class sub-score just before a score (投入指标满分20分，自评得分20分): not the total.
_CLASS_SCORE = re.compile(r"(投入|产出|效益|满意度|过程|决策|管理|预算执行|成本|指标)[^。；;]{0,10}$")
_GRADE = re.compile(r"(?:等级|等次|结果|结论|自评|评定|评价|评为|定为)\s*(?:为|是|:|：)?\s*[“\"「『]?"
                    r"(?P<g>优秀|良好|优|良|中等|中|合格|不合格|较差|差)(?:[”\"」』]|(?=[，。；、,;\s)）]|$|等级|等次|档))")


@dataclass
class Prose:
    """What the paragraphs of a document say, by heading."""

    sections: dict[str, str] = field(default_factory=dict)
    other: list[tuple[str, str]] = field(default_factory=list)
    headings: int = 0  # top-level headings found
    title: str | None = None
    project: dict[str, str] = field(default_factory=dict)
    scope: str = "project"
    stated_total: str | None = None
    stated_grade: str | None = None

    @property
    def is_report(self) -> bool:
        """Enough structure to be a prose report: a report title with a heading, or two headings that
        name sections."""
        named = len(self.sections)
        return (self.title is not None and self.headings >= 1) or named >= 2


def heading_level(paragraph: Paragraph) -> tuple[int, str] | None:
    """(level, heading text without its numbering), or None for body text."""
    text = paragraph.text.strip()
    if paragraph.level is not None and 0 < len(text) <= MAX_HEADING * 2:
        return paragraph.level, _strip_number(text)
    for level, pattern in _LEVELS:
        match = pattern.match(text)
        if match is None:
            continue
        rest = text[match.end():].strip()
        if not rest or len(rest) > MAX_HEADING:
            return None
        if rest.endswith(("。", "；", ";")) and level > 2:
            return None  # 1、加强管理。 is an item of a list, not a heading
        if re.search(r"[。；;]", rest.rstrip("。；;")):
            return None  # a sentence follows the words: the text of a list item
        return level, rest
    return None


def _strip_number(text: str) -> str:
    for _, pattern in _LEVELS:
        match = pattern.match(text)
        if match:
            return text[match.end():].strip()
    return text


def section_key(heading: str) -> str | None:
    flat = compact(heading)
    hits = [(flat.find(w), key) for key, words in SECTION_WORDS for w in words if w in flat]
    return min(hits)[1] if hits else None


def _furniture(lines: list[str]) -> set[str]:
    """Short lines printed on every page (running headers and footers)."""
    counts = Counter(line for line in lines if len(line) <= 40)
    return {line for line, n in counts.items() if n >= 3 and not _TOTAL.search(line)}


_FORM_TITLE = re.compile(r"(?:自评表|评价表|目标表|情况表)(?:[(（]\s*(?:19|20)\d{2}\s*年度?\s*[)）])?$")


def _prose_blocks(doc: Document) -> list[Paragraph]:
    """The paragraphs of the report's text: up to the title of a form attached to it (a short line
    naming a 自评表 just before a table), whose title, notes and 填报说明 are the form's, not the text's."""
    blocks = list(doc.blocks)
    out: list[Paragraph] = []
    for i, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        text = compact(block.text)
        if out and len(text) <= 40 and _FORM_TITLE.search(text) \
                and any(not isinstance(b, Paragraph) for b in blocks[i + 1:i + 4]):
            break
        if text:
            out.append(block)
    return out


def document_to_prose(doc: Document) -> Prose:
    paragraphs = _prose_blocks(doc)
    repeated = _furniture([p.text.strip() for p in paragraphs])
    body = [p for p in paragraphs if not _is_furniture(p.text.strip(), repeated)]
    prose = Prose()
    for p in body[:6]:
        text = compact(p.text)
        if _TITLE.search(text) and heading_level(p) is None:
            prose.title = text
            break
    if prose.title:
        _title_facts(prose.title, prose)
    heads = [(i, *h) for i, p in enumerate(body) if (h := heading_level(p)) is not None]
    if not heads:  # no numbered or styled headings: short paragraphs set apart (bold, centred, larger)
        heads = [(i, 1, p.text.strip()) for i, p in enumerate(body)
                 if p.marked and compact(p.text) != prose.title and section_key(p.text) is not None]
    if not heads:
        _stated(body, prose)
        return prose
    top = min(level for _, level, _ in heads)
    tops = [(i, text) for i, level, text in heads if level == top]
    prose.headings = len(tops)
    join = doc.format in ("pdf", "txt")  # their lines are not paragraphs: a line not ending a sentence runs on
    for n, (i, heading) in enumerate(tops):
        end = tops[n + 1][0] if n + 1 < len(tops) else len(body)
        text = _text(body[i + 1:end], join)
        key = section_key(heading)
        if key is not None and key not in prose.sections:
            prose.sections[key] = text
        else:
            prose.other.append((heading, text))
    _stated(body, prose)
    return prose


def _is_furniture(text: str, repeated: set[str]) -> bool:
    return bool(_FURNITURE.match(text) or _PAGE_NUMBER.match(text)) or text in repeated


def _text(paragraphs: list[Paragraph], join: bool) -> str:
    lines: list[str] = []
    for p in paragraphs:
        text = p.text.strip()
        if join and lines and heading_level(p) is None and heading_level(Paragraph(lines[-1])) is None \
                and not lines[-1].endswith(_SENTENCE_END):
            lines[-1] += text
        else:
            lines.append(text)
    return "\n".join(lines)


def _title_facts(title: str, prose: Prose) -> None:
    if "部门整体" in title or "单位整体" in title:
        prose.scope = "department"
    match = _TITLE_PARTS.match(_TITLE.sub("", title))
    if match is None:
        return
    prose.project["year"] = match.group("year")
    unit = match.group("unit").strip("关于")
    if unit:
        prose.project["department"] = unit
    rest = re.sub(r"(?:部门整体|单位整体|整体)?(?:支出)?(?:绩效)?(?:单位)?$", "", match.group("rest")).strip("()（）的")
    if prose.scope == "project" and len(rest) >= 2 and rest not in ("项目", "专项资金"):
        prose.project["name"] = rest


def _stated(paragraphs: list[Paragraph], prose: Prose) -> None:
    text = "\n".join(p.text.strip() for p in paragraphs)
    prose.stated_total = stated_total(text)
    grade = _GRADE.search(text)
    prose.stated_grade = grade.group("g") if grade else None


def stated_total(text: str) -> str | None:
    """The total score a text states: a 综合/总 score first, else the first 自评得分 that is not a
    class sub-score; never 分值100分 (a maximum)."""
    plain: list[str] = []
    for match in _TOTAL.finditer(text):
        value = float(match.group("n"))
        if value > 100:
            continue
        lead, kind = match.group("lead"), match.group("kind")
        before = text[max(0, match.start() - 14):match.start()]
        overall = lead in ("综合", "总体", "整体", "最终") or kind in ("自评总分", "总得分", "综合得分")
        if overall:
            return match.group("n")
        if kind in ("自评得分", "评价得分", "得分") and not _CLASS_SCORE.search(before):
            plain.append(match.group("n"))
    return plain[0] if plain else None
