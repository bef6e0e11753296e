"""The talent register's Excel import on the core.importing framework: preview errors, all-or-nothing commit."""

from datetime import date

import pytest

from core.importing import engine
from core.importing.registry import get_importer
from talent.models import Talent
from talent.tests.factories import TalentFactory, resident_id


def _rows(*rows):
    return [(n + 2, cells) for n, cells in enumerate(rows)]


def test_import_adds_new_talents_and_updates_known_ones(admin_user, enterprise):
    known = TalentFactory(education="bachelor")
    new_id = resident_id(date(1994, 2, 3))
    rows = _rows(
        {
            "name": "王小明",
            "id_number": new_id,
            "education": "博士",
            "employer_uscc": enterprise.uscc,
            "housing_status": "租房",
            "annual_salary_wan": "35.5",
            "social_insurance_months": "12",
        },
        {"name": known.name, "id_number": known.id_number, "education": "硕士"},
    )
    report = engine.commit(get_importer("talents")(), rows, actor=admin_user)
    assert report.counts["new"] == 1 and report.counts["updated"] == 1
    created = Talent.objects.get(id_number=new_id)
    assert created.birth_date == date(1994, 2, 3) and created.employer == enterprise and created.education == "doctor"
    known.refresh_from_db()
    assert known.education == "master"


def test_preview_names_row_column_and_reason_and_commit_writes_nothing(admin_user):
    rows = _rows(
        {"name": "甲", "id_number": resident_id(date(1990, 1, 1)), "education": "博士"},
        {"name": "乙", "id_number": "360121199001011234", "education": "研究生", "employer_uscc": "91360100MA35AB1C2D"},
    )
    report = engine.validate(get_importer("talents")(), rows)
    issues = [issue for row in report.rows for issue in row.errors]
    assert {(i.row, i.column) for i in issues} == {(3, "身份证号"), (3, "学历"), (3, "用人单位统一社会信用代码")}
    assert any("研究生" in i.message for i in issues)
    assert report.counts["error"] == 1
    with pytest.raises(engine.ImportRejected):
        engine.commit(get_importer("talents")(), rows, actor=admin_user)
    assert not Talent.objects.exists()
