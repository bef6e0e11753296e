"""Importing the enterprise register from Excel: preview, per-row errors, all-or-nothing, upsert by USCC."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import UnitKind
from accounts.tests.factories import UnitFactory
from core.models import AuditEvent, ImportBatch
from core.tests.import_helpers import upload, xlsx_bytes
from core.validators import make_uscc
from enterprises.choices import SizeClass
from enterprises.importers import EnterpriseImporter
from enterprises.models import Enterprise, IndustryCode
from enterprises.tests.factories import EnterpriseFactory

HEADERS = [c.header for c in EnterpriseImporter.columns]
rng = random.Random(4754)


def row(uscc, name, **cells):
    values = {"统一社会信用代码": uscc, "企业名称": name, **cells}
    return [values.get(h, "") for h in HEADERS]


def upload_rows(client, rows, headers=HEADERS):
    response = client.post(
        reverse("core:import_upload", args=["enterprises"]), {"file": upload(xlsx_bytes(headers, rows))}
    )
    return response


def latest_batch():
    return ImportBatch.objects.latest("id")


@pytest.fixture
def office(db):
    return UnitFactory(name="高新管理处", kind=UnitKind.MANAGEMENT_OFFICE)


@pytest.fixture
def industry(db):
    return IndustryCode.objects.get_or_create(code="2710", defaults={"name": "化学药品原料药制造", "level": 3})[0]


def test_admin_imports_new_enterprises_after_preview(client_for, admin_user, office, industry):
    client = client_for(admin_user)
    first, second = make_uscc(rng), make_uscc(rng)
    response = upload_rows(
        client,
        [
            row(
                first,
                "甲生物医药有限公司",
                简称="甲生物",
                规模="规上",
                行业代码="2710",
                重点企业="是",
                管理处="高新管理处",
                联系电话="13800138000",
            ),
            row(second, "乙数字科技有限公司", 龙头企业="否"),
        ],
    )
    batch = latest_batch()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:import_batch", args=[batch.pk])
    assert batch.report["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "error": 0, "total": 2, "warning": 0}
    assert not Enterprise.objects.exists()  # the preview writes nothing

    preview = client.get(response["Location"])
    assert "确认导入" in preview.text

    committed = client.post(reverse("core:import_batch_commit", args=[batch.pk]), follow=True)
    assert "导入完成：新增 2 条" in committed.text
    created = Enterprise.objects.get(uscc=first)
    assert (created.name, created.short_name, created.size_class, created.is_key) == (
        "甲生物医药有限公司",
        "甲生物",
        SizeClass.ABOVE,
        True,
    )
    assert created.management_office == office
    assert created.contact_phone == "13800138000"
    second_enterprise = Enterprise.objects.get(uscc=second)
    assert (second_enterprise.size_class, second_enterprise.is_key) == (SizeClass.BELOW, False)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.rows == []
    assert AuditEvent.objects.filter(action="import.commit", target_id=str(batch.pk), actor=admin_user).count() == 1
    assert AuditEvent.objects.filter(action="enterprise.create").count() == 2


def test_known_uscc_updates_the_enterprise_instead_of_duplicating_it(client_for, admin_user):
    existing = EnterpriseFactory(name="旧名称有限公司", address="旧地址", is_key=False)
    untouched = EnterpriseFactory(name="不变有限公司", short_name="不变")
    client = client_for(admin_user)
    upload_rows(
        client,
        [
            row(existing.uscc.lower(), "新名称有限公司", 重点企业="是"),
            row(untouched.uscc, "不变有限公司", 简称="不变"),
        ],
    )
    batch = latest_batch()
    assert batch.report["counts"]["updated"] == 1
    assert batch.report["counts"]["unchanged"] == 1
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    existing.refresh_from_db()
    assert Enterprise.objects.count() == 2
    assert (existing.name, existing.is_key) == ("新名称有限公司", True)
    assert existing.address == "旧地址"  # a blank optional cell keeps what the register has
    assert AuditEvent.objects.filter(action="enterprise.update").count() == 1


def test_row_errors_name_row_column_and_reason(client_for, admin_user):
    valid = make_uscc(rng)
    bad_check_digit = valid[:17] + ("0" if valid[17] != "0" else "1")
    client = client_for(admin_user)
    upload_rows(
        client,
        [
            row(valid, "正常企业有限公司"),
            row(bad_check_digit, "校验位错误有限公司"),
            row(make_uscc(rng), "", 规模="中型"),
            row(make_uscc(rng), "电话错误有限公司", 联系电话="12345", 管理处="不存在的管理处"),
            row(valid, "重复企业有限公司"),
        ],
    )
    batch = latest_batch()
    issues = {(i["row"], i["column"]): i["message"] for i in batch.report["issues"]}
    assert "校验位错误" in issues[(3, "统一社会信用代码")]
    assert issues[(4, "企业名称")] == "必填项，不能为空。"
    assert "规上、规下" in issues[(4, "规模")]
    assert "电话号码" in issues[(5, "联系电话")]
    assert "管理处“不存在的管理处”不存在" in issues[(5, "管理处")]
    assert "与第 2 行重复" in issues[(6, "统一社会信用代码")]
    assert batch.report["counts"]["error"] == 4 and batch.report["counts"]["new"] == 1

    page = client.get(reverse("core:import_batch", args=[batch.pk]))
    assert "确认导入" not in page.text
    assert "有 4 行存在错误" in page.text


def test_a_file_with_one_bad_row_writes_nothing(client_for, admin_user):
    client = client_for(admin_user)
    upload_rows(client, [row(make_uscc(rng), f"企业{i}有限公司") for i in range(3)] + [row("123", "坏行有限公司")])
    batch = latest_batch()
    response = client.post(reverse("core:import_batch_commit", args=[batch.pk]), follow=True)
    assert not Enterprise.objects.exists()
    assert "没有写入任何数据" in response.text
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert AuditEvent.objects.filter(action="import.rejected").count() == 1
    assert not AuditEvent.objects.filter(action="enterprise.create").exists()


def test_commit_revalidates_and_writes_nothing_when_data_changed_since_preview(client_for, admin_user, office):
    client = client_for(admin_user)
    upload_rows(
        client,
        [row(make_uscc(rng), "甲有限公司"), row(make_uscc(rng), "乙有限公司", 管理处="高新管理处")],
    )
    batch = latest_batch()
    assert batch.report["counts"]["error"] == 0
    office.name = "已改名管理处"
    office.save()
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    assert not Enterprise.objects.exists()
    batch.refresh_from_db()
    assert batch.report["counts"]["error"] == 1
    assert batch.report["issues"][0]["column"] == "管理处"


def test_unknown_industry_code_warns_but_imports(client_for, admin_user, industry):
    client = client_for(admin_user)
    upload_rows(
        client, [row(make_uscc(rng), "甲有限公司", 行业代码="9999"), row(make_uscc(rng), "乙有限公司", 行业代码="2710")]
    )
    batch = latest_batch()
    assert batch.report["counts"]["error"] == 0
    assert batch.report["counts"]["warning"] == 1
    assert batch.report["issues"] == [
        {
            "row": 2,
            "column": "行业代码",
            "level": "warning",
            "message": "行业代码 9999 不在 GB/T 4754-2017 参考列表中，请核对（不影响导入）。",
        }
    ]
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    assert set(Enterprise.objects.values_list("industry_code", flat=True)) == {"9999", "2710"}


def test_template_example_row_left_in_is_skipped(client_for, admin_user):
    client = client_for(admin_user)
    example = [c.example for c in EnterpriseImporter.columns]
    upload_rows(client, [example, row(make_uscc(rng), "真实企业有限公司")])
    batch = latest_batch()
    assert batch.report["counts"]["total"] == 1
    assert batch.report["skipped_example_rows"] == [2]


def test_preview_queries_do_not_grow_with_rows(client_for, admin_user, office, django_assert_max_num_queries):
    client = client_for(admin_user)
    existing = EnterpriseFactory.create_batch(5)

    def rows(n):
        fresh = [row(make_uscc(rng), f"新企业{i}有限公司", 管理处="高新管理处", 行业代码="2710") for i in range(n)]
        return fresh + [row(e.uscc, e.name + "改") for e in existing]

    with CaptureQueriesContext(connection) as small:
        upload_rows(client, rows(3))
    with django_assert_max_num_queries(11):
        upload_rows(client, rows(60))
    with CaptureQueriesContext(connection) as large:
        upload_rows(client, rows(60))
    assert len(large.captured_queries) == len(small.captured_queries)
    batch = latest_batch()
    assert batch.report["counts"] == {"new": 60, "updated": 5, "unchanged": 0, "error": 0, "total": 65, "warning": 0}
    with django_assert_max_num_queries(3):
        client.get(reverse("core:import_batch", args=[batch.pk]))


def test_a_service_refusing_the_last_row_rolls_back_the_rows_already_written(client_for, admin_user, monkeypatch):
    """All or nothing also when a write fails after earlier rows were saved (e.g. data changed at that instant)."""
    from django.core.exceptions import ValidationError

    import enterprises.importers

    real = enterprises.importers.enterprise_create
    calls = []

    def refuse_third(**kwargs):
        calls.append(kwargs["uscc"])
        if len(calls) == 3:
            raise ValidationError({"name": "名称已被占用。"})
        return real(**kwargs)

    monkeypatch.setattr(enterprises.importers, "enterprise_create", refuse_third)
    client = client_for(admin_user)
    upload_rows(client, [row(make_uscc(rng), f"企业{i}有限公司") for i in range(3)])
    batch = latest_batch()
    response = client.post(reverse("core:import_batch_commit", args=[batch.pk]), follow=True)
    assert len(calls) == 3
    assert not Enterprise.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["enterprise.create", "import.commit"]).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.report["issues"] == [{"row": 4, "column": "企业名称", "message": "名称已被占用。", "level": "error"}]
    assert "名称已被占用" in response.text


def test_a_write_conflict_at_commit_rolls_back_with_a_message(client_for, admin_user, monkeypatch):
    """Someone saved the same USCC between our checks and our insert: a clear message, nothing written, no 500."""
    from django.db import IntegrityError

    import enterprises.importers

    real = enterprises.importers.enterprise_create

    def conflict_on_second(**kwargs):
        if Enterprise.objects.exists():
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(enterprises.importers, "enterprise_create", conflict_on_second)
    client = client_for(admin_user)
    upload_rows(client, [row(make_uscc(rng), f"企业{i}有限公司") for i in range(2)])
    batch = latest_batch()
    response = client.post(reverse("core:import_batch_commit", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert not Enterprise.objects.exists()
    batch.refresh_from_db()
    assert batch.report["issues"][0]["row"] == 3
    assert "冲突" in batch.report["issues"][0]["message"]
