"""Excel import of postings (through the core import framework)."""

import pytest

from core.importing import ERROR, NEW, UNCHANGED, UPDATED, commit, validate
from matching.choices import PostingSource
from matching.importers import PostingImporter
from matching.models import Posting

pytestmark = pytest.mark.django_db


def _rows(area, **overrides):
    cells = {
        "kind": "需求",
        "title": "导入的纯化需求",
        "text": "活性成分无法提纯，寻求分离纯化合作。",
        "category": "技术研发",
        "uscc": area.third.uscc,
        "chain_name": "生命健康",
        "link_name": "原料药制造",
        "valid_until": "2099-12-31",
    }
    cells.update(overrides)
    return [(2, {k: v for k, v in cells.items() if v})]


def test_import_creates_then_updates_then_leaves_unchanged(area, admin_user):
    report = commit(PostingImporter(), _rows(area), actor=admin_user)
    assert report.rows[0].action == NEW
    posting = Posting.objects.get(title="导入的纯化需求")
    assert posting.source == PostingSource.IMPORT and posting.enterprise == area.third and posting.link == area.making
    assert "纯化" in posting.tokens
    assert validate(PostingImporter(), _rows(area)).rows[0].action == UNCHANGED
    report = commit(PostingImporter(), _rows(area, text="新的内容：冷链配送"), actor=admin_user)
    assert report.rows[0].action == UPDATED
    posting.refresh_from_db()
    assert posting.text == "新的内容：冷链配送"


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"uscc": ""}, "统一社会信用代码"),
        ({"kind": "科技成果", "institution_name": "不存在的研究院"}, "科研机构"),
        ({"link_name": "不存在的环节"}, "环节"),
        ({"chain_name": "不存在的链"}, "产业链"),
        ({"valid_until": "2001-01-01"}, "有效期至"),
    ],
)
def test_import_reports_row_errors_by_column(area, overrides, column):
    row = validate(PostingImporter(), _rows(area, **overrides)).rows[0]
    assert row.action == ERROR
    assert column in [issue.column for issue in row.errors]


def test_institution_offer_imports(area, admin_user):
    rows = _rows(area, kind="科技成果", uscc="", institution_name=area.university.name, title="导入的成果")
    commit(PostingImporter(), rows, actor=admin_user)
    assert Posting.objects.get(title="导入的成果").institution == area.university
