"""Template recognition: which report form a document is, from the labels it prints."""

from __future__ import annotations

from normalize.text import compact
from jixiao.model import Document

# Labels that only the given form prints. Counting distinct hits keeps recognition
# independent of layout, reading order and the reader the document came from.
TEMPLATE_LABELS: dict[str, tuple[str, ...]] = {
    "suzhou-2017": (
        "市级预算执行情况", "市级财政资金使用情况", "项目资金构成", "子项目名称", "指标名称",
        "权重", "实际完成值", "自评分", "投入目标", "产出目标", "结果目标", "影响力目标",
        "指标结余数", "财政收回数",
    ),
    "national-2020": (
        "年度资金总额", "全年预算数", "全年执行数", "一级指标", "二级指标", "三级指标",
        "年度指标值", "偏差原因", "执行率", "年度总体目标", "上年结转资金",
    ),
}  # fmt: skip
MIN_HITS = 4


def document_to_template(doc: Document) -> tuple[str, int]:
    """The best-matching template and how many of its labels were seen; ``unknown`` below MIN_HITS."""
    text = compact(doc.text())
    best, best_hits = "unknown", 0
    for name, labels in TEMPLATE_LABELS.items():
        hits = sum(1 for label in labels if label in text)
        if hits > best_hits:
            best, best_hits = name, hits
    return (best if best_hits >= MIN_HITS else "unknown"), best_hits
