"""Normalize on real strings from the seed report."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from normalize import parse_category
from jixiao.segment import fragment_side
from normalize.names import clean_name
from normalize.narrative import clean_narrative
from jixiao.text import rejoin, repair_duplicate
from normalize.values import parse_number, parse_value


@pytest.mark.parametrize(
    "printed, name",
    [
        ("监管数据中 心对接部门 数", "监管数据中心对接部门数"),
        ("数据交换前 置交换节点 数", "数据交换前置交换节点数"),
        ("架构治理服 务提交电子 政务项目初 审报告数", "架构治理服务提交电子政务项目初审报告数"),
        ("APP 下载数", "APP下载数"),
        ("数据资源分 析算数据资 源分析算法", "数据资源分析算法"),
        ("提供数据质 量的第三方 数据质量监 测服务", "提供数据质量的第三方数据质量监测服务"),
        ("业务中台通\n用服务能力", "业务中台通用服务能力"),
        ("Open Data 平台接入数", "Open Data平台接入数"),
        ("各级财政应承担资金到位率", "各级财政应承担资金到位率"),
        ("（一）资金到位率", "(一)资金到位率"),
    ],
)
def test_clean_name_rejoins_wrapped_and_doubled_names(printed: str, name: str) -> None:
    assert clean_name(printed) == name


def test_latin_words_keep_their_space() -> None:
    assert rejoin("Open   Data") == "Open Data"


@pytest.mark.parametrize("text", ["人人享有", "年年有余", "数据数据", "好好学习"])
def test_short_repeats_are_words_not_artefacts(text: str) -> None:
    assert repair_duplicate(text) == text


def test_page_break_fragment_joins_the_row_it_was_cut_from() -> None:
    # The seed's 监管数据中心基础库建 | 成数 (next page) | 落实项目监理制数量.
    assert fragment_side("监管数据中心基础库建", "成数", "落实项目监理制数量") == "previous"
    assert fragment_side(None, "项目验收", "通过率") == "following"
    assert fragment_side("年内项目启动数", "项目验收", "") == "following"


@pytest.mark.parametrize(
    "cell, op, number, unit, word",
    [
        ("=100%", "=", 100.0, "%", None),
        ("≥35 个", ">=", 35.0, "个", None),
        ("=2690000 个", "=", 2690000.0, "个", None),
        ("15%及其以下", "<=", 15.0, "%", None),
        ("≤90万元", "<=", 90.0, "万元", None),
        ("<=90", "<=", 90.0, "", None),
        ("90万元以内", "<=", 90.0, "万元", None),
        ("35个以上", ">=", 35.0, "个", None),
        ("35及以上", ">=", 35.0, "", None),
        (">=35", ">=", 35.0, "", None),
        ("＝7个", "=", 7.0, "个", None),
        ("≥95％", ">=", 95.0, "%", None),
        ("8", "=", 8.0, "", None),
        ("2,690,000个", "=", 2690000.0, "个", None),
        ("不低于 95%", ">=", 95.0, "%", None),
        ("合规", None, None, "", "合规"),
        ("好", None, None, "", "好"),
        ("提升", None, None, "", "提升"),
    ],
)
def test_parse_value(cell: str, op: str | None, number: float | None, unit: str, word: str | None) -> None:
    value = parse_value(cell)
    assert (value.op, value.number, value.unit, value.word) == (op, number, unit, word)


@pytest.mark.parametrize("cell", ["", "—", "-", "/", "无", "  "])
def test_blank_actuals(cell: str) -> None:
    assert parse_value(cell).is_blank


@pytest.mark.parametrize(
    "text, number", [("3773.00", 3773.0), ("0.00", 0.0), ("3,773.50", 3773.5), ("80分", 80.0), ("", None), ("—", None)]
)
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "label, category, points",
    [
        ("投入目标(26分)", "投入", 26.0),
        ("产出目标 (24分)", "产出", 24.0),
        ("影响力目 标 (8分)", "影响力", 8.0),
        ("影响力目\n标\n(8分)", "影响力", 8.0),
        ("结果目标（22分）", "结果", 22.0),
        ("投入目标", "投入", None),
    ],
)
def test_parse_category(label: str, category: str, points: float | None) -> None:
    assert parse_category(label) == (category, points)


def test_narrative_markup_becomes_lines() -> None:
    cell = ('<p style="text-align: center;">1.健全组织机构，数字政府顶层设计不断完善</p> <p>今年，市信息中心配合'
            '市大数据管理局。</p> <p style="text-align: center;">2.专项资金管理规范&amp;合规。</p>')
    assert clean_narrative(cell) == (
        "1.健全组织机构，数字政府顶层设计不断完善\n今年，市信息中心配合市大数据管理局。\n2.专项资金管理规范&合规。"
    )


def test_narrative_keeps_fullwidth_punctuation() -> None:
    assert clean_narrative("资金（万元），  已支付。") == "资金（万元）， 已支付。"


@given(st.text())
def test_normalizers_never_raise(text: str) -> None:
    parse_value(text)
    parse_number(text)
    clean_name(text)
    clean_narrative(text)
    parse_category(text)


def test_fast_segmenter_cuts_exactly_as_jieba(tmp_path, monkeypatch) -> None:
    """The sorted-list dictionary must not change a single cut: every line of the seed report,
    and every pair of neighbouring lines joined (the seams fragment_side asks about)."""
    import logging
    from pathlib import Path

    import jieba

    from jixiao import segment

    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    segment.segmenter.cache_clear()
    try:
        fast = segment.segmenter()
        jieba.setLogLevel(logging.WARNING)
        seed = (Path(__file__).resolve().parent.parent / "samples" / "suzhou-2020-egov-selfeval.txt").read_text(
            encoding="utf-8")
        lines = [line.replace("\t", "") for line in seed.splitlines() if line.strip()]
        texts = lines + [a[-6:] + b[:6] for a, b in zip(lines, lines[1:])] + ["AT&T和B超", "ｃ＃语言", "iPhone手机"]
        assert len(texts) > 150
        for text in texts:
            assert fast(text) == jieba.lcut(text), text
        assert list(tmp_path.glob("jieba-words-*.marshal"))  # the cache was written …
        segment.segmenter.cache_clear()
        assert segment.segmenter()("监管数据中心基础库建成数") == jieba.lcut("监管数据中心基础库建成数")  # … and reads back
    finally:
        segment.segmenter.cache_clear()


def test_prefix_dict_answers_like_jiebas_frequency_table() -> None:
    from jixiao.segment import PrefixDict, dictionary_to_words

    words, freqs, total = dictionary_to_words(["数据 10 n", "数据中心 5 n", "中心 8 n", "数据 12 n"])
    table = PrefixDict(words, freqs)
    assert total == 35  # a word listed twice counts twice in the total, as in jieba
    assert table.get("数据") == 12 and table["数据中心"] == 5
    assert table.get("数据中") == 0 and "数据中" in table  # a prefix: the DAG walk goes on
    assert table.get("据") is None and "据" not in table and table.get("心中", 3) == 3
    with pytest.raises(ValueError, match="line 1"):
        dictionary_to_words(["数据"])


def test_segmenter_works_where_its_cache_cannot_be_written(tmp_path, monkeypatch) -> None:
    from jixiao import segment

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(blocker / "cache"))
    segment.segmenter.cache_clear()
    try:
        assert segment.segmenter()("监管数据中心基础库建成数")[-2:] == ["建成", "数"]
    finally:
        segment.segmenter.cache_clear()


def test_the_cache_keeps_a_few_copies_of_a_thing_not_one_per_install(tmp_path, monkeypatch) -> None:
    import os

    from jixiao import segment

    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    # Five earlier installs' word lists, oldest first, and another kind of cached file.
    old = [tmp_path / f"jieba-words-5071852-{i}.marshal" for i in range(5)]
    for i, path in enumerate(old):
        path.write_bytes(b"x")
        os.utime(path, ns=(10**18 + i, 10**18 + i))
    other = tmp_path / "ocr-rec-model-1-2-v2.onnx"
    other.write_bytes(b"y")
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("数据 12 n\n数据中心 5 n\n", encoding="utf-8")
    segment.load_words(dictionary)  # writes this install's copy, then prunes
    left = sorted(p.name for p in tmp_path.glob("jieba-words-*"))
    made = f"jieba-words-{dictionary.stat().st_size}-{dictionary.stat().st_mtime_ns}.marshal"
    assert left == sorted([made, old[4].name, old[3].name])
    assert other.exists() and dictionary.exists()
