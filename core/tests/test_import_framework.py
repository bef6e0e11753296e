"""The import framework below the pages: cell text, parsers, and property tests of the parser and validation."""

import string
from datetime import date, datetime, time
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.importing import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    Column,
    Importer,
    ImportFileError,
    all_importers,
    parsers,
    validate,
)
from core.importing.columns import cell_text
from core.importing.reader import read_upload
from core.tests.import_helpers import xlsx_bytes

IMPORTERS = all_importers()
DB_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Characters a worksheet can hold (openpyxl refuses control characters when writing).
sheet_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    sheet_text,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)
# Cell texts that look like what people type: codes, dates, 是/否, labels, separators, junk.
cell_texts = st.one_of(
    st.just(""),
    st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=20),
    st.sampled_from(
        ["是", "否", "规上", "规下", "党支部", "联合党支部", "产业链联合", "2024-02-30", "2021-07-01", "13800138000"]
    ),
    st.sampled_from(["91360100MA35AB1C2D", "91360100MA35AB1C2D；123", "360102199001010010", "；;，", "=1+1"]),
    st.text(max_size=30),
)


@given(st.one_of(cell_values, st.text()))
def test_cell_text_never_fails_and_is_trimmed(value):
    text = cell_text(value)
    assert isinstance(text, str)
    assert text == text.strip()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "是"),
        (12.0, "12"),
        (13800138000, "13800138000"),
        (datetime(2024, 3, 15), "2024-03-15"),
        (datetime(2024, 3, 15, 8, 30), "2024-03-15 08:30:00"),
        (date(2024, 3, 15), "2024-03-15"),
        (time(8, 30), "08:30:00"),
        ("\u3000 甲公司\u200b ", "甲公司"),
    ],
)
def test_cell_text_canonical_forms(value, expected):
    assert cell_text(value) == expected


@pytest.mark.parametrize(
    ("parser", "text", "expected"),
    [
        (parsers.yes_no(), "是", True),
        (parsers.yes_no(), "n", False),
        (parsers.date_value(), "2024/3/5", date(2024, 3, 5)),
        (parsers.date_value(), "2024年3月5日", date(2024, 3, 5)),
        (parsers.date_value(), "2024-03-05 00:00:00", date(2024, 3, 5)),
        (parsers.uscc_list(), "91360100MA35AB1C2D; 91360100MA35AB1C2D", ["91360100MA35AB1C2D"]),
        (parsers.text_list(), "甲；乙;丙、甲", ["甲", "乙", "丙"]),
        (parsers.integer(), "1,200", 1200),
    ],
)
def test_parsers_accept_common_spellings(parser, text, expected):
    assert parser(text) == expected


@pytest.mark.parametrize(
    ("parser", "text", "message"),
    [
        (parsers.yes_no(), "也许", "应填写“是”或“否”"),
        (parsers.date_value(), "2024-02-30", "不存在"),
        (parsers.date_value(), "三月五日", "格式不正确"),
        (parsers.text(3), "四个汉字", "最多 3 个字"),
        (parsers.uscc_list(), "91360100MA35AB1C2D；abc", "第 2 项“abc”"),
        (parsers.integer(), "1.5", "不是整数"),
        (parsers.decimal(), "abc", "不是数字"),
    ],
)
def test_parsers_explain_what_is_wrong(parser, text, message):
    with pytest.raises(ValidationError) as caught:
        parser(text)
    assert message in caught.value.messages[0]


@given(st.binary(max_size=3000))
def test_arbitrary_bytes_are_refused_with_a_message_never_a_crash(data):
    columns = IMPORTERS[0].columns
    try:
        read_upload(BytesIO(data), columns)
    except ImportFileError as exc:
        assert exc.message
    else:
        pytest.fail("random bytes were accepted as a workbook")


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(IMPORTERS), st.lists(st.lists(cell_values, max_size=12), min_size=1, max_size=6))
def test_workbooks_with_random_cells_parse_or_are_refused_with_a_message(importer, rows):
    data = xlsx_bytes([c.header for c in importer.columns], rows)
    try:
        sheet = read_upload(BytesIO(data), importer.columns)
    except ImportFileError as exc:
        assert exc.message
        return
    fields = {c.field for c in importer.columns}
    for number, cells in sheet.rows:
        assert number >= 2
        assert set(cells) <= fields
        assert all(isinstance(v, str) and v for v in cells.values())


@pytest.mark.django_db
@DB_SETTINGS
@given(data=st.data())
def test_every_row_is_either_clean_or_has_errors_naming_a_column(data):
    importer = data.draw(st.sampled_from(IMPORTERS))
    headers = {c.header for c in importer.columns}
    fields = [c.field for c in importer.columns]
    raw_rows = data.draw(
        st.lists(st.fixed_dictionaries(dict.fromkeys(fields, cell_texts)), min_size=1, max_size=8), label="rows"
    )
    rows = [(number, {k: v for k, v in cells.items() if v}) for number, cells in enumerate(raw_rows, start=2)]
    report = validate(importer(), rows)
    for row in report.rows:
        if row.errors:
            assert row.action == ERROR
            for issue in row.errors:
                assert issue.column in headers
                assert issue.row == row.number
                assert issue.message
        else:
            assert row.action in (NEW, UPDATED, UNCHANGED)
        assert all(issue.column in headers for issue in row.warnings)
    assert report.counts["total"] == len(rows)
    assert sum(report.counts[k] for k in (NEW, UPDATED, UNCHANGED, ERROR)) == len(rows)


class _TwoPartKey(Importer):
    key = "two_part_key_test"
    title = "测试"
    columns = [
        Column("企业", "owner", parsers.text(10)),
        Column("机构", "institution", parsers.text(10)),
        Column("标题", "title", parsers.text(10), required=True),
        Column("编号", "number", parsers.integer()),
    ]
    key_fields = ("owner", "institution", "title")
    key_label = "同一发布方、同一标题"

    def validate_row(self, row):
        row.action = NEW


def test_duplicate_keys_compare_blank_parts_but_not_unparsable_or_blank_keys():
    rows = [
        (2, {"institution": "甲院", "title": "课题"}),
        (3, {"institution": "甲院", "title": "课题"}),  # same key with a blank owner: a duplicate
        (4, {"owner": "乙企", "title": "课题"}),
        (5, {"owner": "这个名称超过十个字的企业名称", "title": "课题"}),  # owner failed to parse: not compared
        (6, {"owner": "这个名称超过十个字的企业名称", "title": "课题"}),
        (7, {"number": "1"}),  # title missing: required error only
        (8, {"number": "2"}),
    ]
    report = validate(_TwoPartKey(), rows)
    messages = {(i.row, i.column): i.message for i in report.errors}
    assert messages[(3, "企业")].startswith("与第 2 行重复（同一发布方、同一标题）")
    assert (4, "企业") not in messages
    assert (6, "企业") in messages and "重复" not in messages[(6, "企业")]
    assert messages[(8, "标题")] == "必填项，不能为空。"
    assert not any("重复" in m for (r, _), m in messages.items() if r in (7, 8))
