"""The import pages: who may use them, bad files, templates, the preview and the batch lifecycle."""

import zipfile
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.importing import all_importers
from core.models import AuditEvent, ImportBatch
from core.tests.import_helpers import upload, xlsx_bytes
from enterprises.importers import EnterpriseImporter
from enterprises.models import Enterprise
from enterprises.tests.factories import EnterpriseFactory

HEADERS = [c.header for c in EnterpriseImporter.columns]
UPLOAD_URL = reverse("core:import_upload", args=["enterprises"])


def post_file(client, data, name="data.xlsx"):
    return client.post(UPLOAD_URL, {"file": upload(data, name)})


def enterprise_rows(n):
    return [[e.uscc, e.name] + [""] * (len(HEADERS) - 2) for e in EnterpriseFactory.build_batch(n)]


def page_urls(batch):
    return [
        reverse("core:imports"),
        reverse("core:imports_export"),
        reverse("core:import_template", args=["enterprises"]),
        UPLOAD_URL,
        reverse("core:import_batch", args=[batch.pk]),
        reverse("core:import_batch_issues_export", args=[batch.pk]),
    ]


@pytest.fixture
def batch(admin_user, client_for):
    post_file(client_for(admin_user), xlsx_bytes(HEADERS, enterprise_rows(2)))
    return ImportBatch.objects.latest("id")


# --- who may import -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["leader", "instructor", "supervisor", "handler", "investment_user", "enterprise_user", "talent_user"]
)
def test_other_roles_get_403_on_every_import_page(request, client, persona, batch):
    client.force_login(request.getfixturevalue(persona))
    enterprises_before = Enterprise.objects.count()
    for url in page_urls(batch):
        assert client.get(url).status_code == 403, url
    for name in ("core:import_batch_commit", "core:import_batch_discard"):
        assert client.post(reverse(name, args=[batch.pk])).status_code == 403
    assert client.post(UPLOAD_URL, {"file": upload(xlsx_bytes(HEADERS, enterprise_rows(1)))}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert Enterprise.objects.count() == enterprises_before
    assert ImportBatch.objects.count() == 1


def test_anonymous_users_are_sent_to_login(client, batch):
    client.logout()
    for url in page_urls(batch):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_admin_sees_import_menu_entry_and_others_do_not(client_for, admin_user, leader):
    assert "数据导入" in client_for(admin_user).get(reverse("accounts:home")).text
    assert "数据导入" not in client_for(leader).get(reverse("accounts:home")).text


def test_unknown_importer_is_404(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(reverse("core:import_upload", args=["nothing"])).status_code == 404
    assert client.get(reverse("core:import_template", args=["nothing"])).status_code == 404


# --- bad files: a clear Chinese message, never a server error ----------------------------------------------------


def _zip(parts):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx_without_workbook_part():
    data = xlsx_bytes(HEADERS, enterprise_rows(1))
    source = zipfile.ZipFile(BytesIO(data))
    return _zip({n: source.read(n) for n in source.namelist() if n != "xl/workbook.xml"})


def _empty_workbook():
    buffer = BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


BAD_FILES = {
    "old_xls": (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "旧版 Excel（.xls）"),
    "csv_renamed": ("统一社会信用代码,企业名称\n91360100MA35AB1C2D,甲\n".encode(), "它看起来是文本或 CSV 文件"),
    "csv_in_gbk_renamed": ("统一社会信用代码,企业名称\n".encode("gbk"), "不是 Excel 工作簿"),
    "truncated_zip": (xlsx_bytes(HEADERS, enterprise_rows(1))[:400], "文件已损坏"),
    "word_document": (
        _zip({"[Content_Types].xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
        "Word 或 PowerPoint",
    ),
    "plain_zip": (_zip({"a.txt": "hello"}), "没有工作簿内容"),
    "broken_workbook_part": (_xlsx_without_workbook_part(), "无法读取"),
    "binary_noise": (bytes(range(256)) * 4, "不是 Excel 工作簿"),
    "no_headers": (_empty_workbook(), "第 1 行没有表头"),
    "headers_only": (xlsx_bytes(HEADERS), "没有填写任何数据行"),
    "wrong_template": (
        xlsx_bytes(["统一社会信用代码", "公司名", "注册资本"], [["x", "y", "z"]]),
        "缺少必填列：企业名称；无法识别的列：公司名、注册资本",
    ),
    "duplicate_header": (xlsx_bytes([*HEADERS, "地址"], [["x"]]), "表头“地址”出现了两次"),
    "data_under_no_header": (xlsx_bytes([*HEADERS], [["x", "y", *[""] * 10, "stray"]]), "该列没有表头"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_gets_a_clear_message(client_for, admin_user, case):
    data, expected = BAD_FILES[case]
    response = post_file(client_for(admin_user), data)
    assert response.status_code == 400
    assert expected in response.text
    assert not ImportBatch.objects.exists()


def test_empty_upload_is_refused(client_for, admin_user):
    response = post_file(client_for(admin_user), b"")
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_oversized_file_is_refused(client_for, admin_user, settings):
    data = xlsx_bytes(HEADERS, enterprise_rows(5))
    settings.IMPORT_MAX_BYTES = len(data) - 1
    response = post_file(client_for(admin_user), data)
    assert response.status_code == 400
    assert "文件过大" in response.text


def test_too_many_rows_are_refused(client_for, admin_user, settings):
    settings.IMPORT_MAX_ROWS = 3
    response = post_file(client_for(admin_user), xlsx_bytes(HEADERS, enterprise_rows(4)))
    assert response.status_code == 400
    assert "超过上限 3 行" in response.text
    assert post_file(client_for(admin_user), xlsx_bytes(HEADERS, enterprise_rows(3))).status_code == 302


def test_a_real_xlsx_with_another_name_is_accepted_by_content(client_for, admin_user):
    response = post_file(client_for(admin_user), xlsx_bytes(HEADERS, enterprise_rows(1)), name="企业名录.dat")
    assert response.status_code == 302


def test_headers_with_required_marks_and_spaces_are_recognised(client_for, admin_user):
    headers = [f" {HEADERS[0]}* ", f"{HEADERS[1]}（必填）"]
    response = post_file(client_for(admin_user), xlsx_bytes(headers, [r[:2] for r in enterprise_rows(1)]))
    assert response.status_code == 302
    assert ImportBatch.objects.get().report["counts"]["new"] == 1


# --- templates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("importer", all_importers(), ids=lambda i: i.key)
def test_template_has_headers_an_example_row_and_an_explanation_sheet(client_for, admin_user, importer):
    response = client_for(admin_user).get(reverse("core:import_template", args=[importer.key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    data, notes = workbook.worksheets
    assert [c.value for c in data[1]] == [c.header for c in importer.columns]
    assert [c.value or "" for c in data[2]] == [c.example for c in importer.columns]
    explained = {row[0]: row for row in notes.iter_rows(min_row=2, values_only=True) if row[0]}
    for column in importer.columns:
        assert explained[column.header][1] == ("必填" if column.required else "选填")
        assert explained[column.header][2]


@pytest.mark.parametrize("importer", all_importers(), ids=lambda i: i.key)
def test_template_uploaded_unchanged_says_it_has_no_data(client_for, admin_user, importer):
    client = client_for(admin_user)
    template = client.get(reverse("core:import_template", args=[importer.key])).content
    response = client.post(reverse("core:import_upload", args=[importer.key]), {"file": upload(template)})
    assert response.status_code == 400
    assert "只有模板示例行" in response.text


# --- preview, commit, discard, history -------------------------------------------------------------------------


def test_preview_pages_its_issues_and_answers_htmx_with_the_partial(client_for, admin_user):
    client = client_for(admin_user)
    rows = [["bad", f"企业{i}"] + [""] * (len(HEADERS) - 2) for i in range(60)]
    post_file(client, xlsx_bytes(HEADERS, rows))
    batch = ImportBatch.objects.get()
    url = reverse("core:import_batch", args=[batch.pk])
    first = client.get(url)
    assert "第 1 / 2 页" in first.text and first.text.count("<tr><td>") == 50
    partial = client.get(url + "?page=2", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and partial.text.count("<tr><td>") == 10
    assert 'id="issues"' in partial.text


def test_issue_list_exports_to_excel(client_for, admin_user):
    client = client_for(admin_user)
    post_file(client, xlsx_bytes(HEADERS, [["bad", "甲"], ["91360100MA35AB1C2D", ""]]))
    batch = ImportBatch.objects.get()
    response = client.get(reverse("core:import_batch_issues_export", args=[batch.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "级别", "原因")
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(2, "统一社会信用代码", "错误"), (3, "企业名称", "错误")]


def test_a_batch_cannot_be_committed_twice(client_for, admin_user, batch):
    client = client_for(admin_user)
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    again = client.post(reverse("core:import_batch_commit", args=[batch.pk]), follow=True)
    assert "已处理" in again.text
    assert Enterprise.objects.count() == 2
    assert AuditEvent.objects.filter(action="import.commit").count() == 1


def test_discarding_a_batch_writes_nothing_and_forgets_its_rows(client_for, admin_user, batch):
    client = client_for(admin_user)
    client.post(reverse("core:import_batch_discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and batch.rows == []
    assert client.post(reverse("core:import_batch_commit", args=[batch.pk])).status_code == 302
    assert not Enterprise.objects.exists()
    assert AuditEvent.objects.filter(action="import.discard", actor=admin_user).count() == 1


def test_import_history_lists_batches_in_constant_queries(client_for, admin_user, django_assert_max_num_queries):
    client = client_for(admin_user)
    for _ in range(4):
        post_file(client, xlsx_bytes(HEADERS, enterprise_rows(2)))
    with django_assert_max_num_queries(4):
        response = client.get(reverse("core:imports"))
    assert response.text.count(reverse("core:import_batch", args=[ImportBatch.objects.latest("id").pk])) == 1
    for importer in all_importers():
        assert reverse("core:import_template", args=[importer.key]) in response.text
    with django_assert_max_num_queries(4):
        export = client.get(reverse("core:imports_export"))
    assert load_workbook(BytesIO(export.content)).active.max_row == 5


# --- large batches are committed by the task worker ------------------------------------------------------------


def test_large_batch_is_committed_by_the_worker_and_the_page_polls_until_done(
    client_for, admin_user, settings, django_capture_on_commit_callbacks
):
    from core.importing.tasks import commit_import_batch

    settings.IMPORT_SYNC_MAX_ROWS = 2
    client = client_for(admin_user)
    post_file(client, xlsx_bytes(HEADERS, enterprise_rows(3)))
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("core:import_batch_commit", args=[batch.pk]), follow=True)
    assert len(callbacks) == 1  # the task is enqueued only once the request's transaction commits
    assert "已转入后台导入" in response.text and "正在后台导入 3 行" in response.text
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING
    assert not Enterprise.objects.exists()
    url = reverse("core:import_batch", args=[batch.pk]) + "?poll=1"
    assert 'id="progress"' in client.get(url, headers={"HX-Request": "true"}).text
    assert client.post(reverse("core:import_batch_commit", args=[batch.pk])).status_code == 302  # refused: queued

    assert commit_import_batch.call(batch.pk, admin_user.pk) == "committed"
    assert commit_import_batch.call(batch.pk, admin_user.pk) == "skipped"  # idempotent
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Enterprise.objects.count() == 3
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_worker_commit_that_finds_errors_puts_the_batch_back_to_preview(client_for, admin_user, settings):
    from accounts.choices import UnitKind
    from accounts.tests.factories import UnitFactory
    from core.importing.tasks import commit_import_batch

    office = UnitFactory(name="高新管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    settings.IMPORT_SYNC_MAX_ROWS = 1
    client = client_for(admin_user)
    rows = enterprise_rows(2)
    rows[1][HEADERS.index("管理处")] = "高新管理处"
    post_file(client, xlsx_bytes(HEADERS, rows))
    batch = ImportBatch.objects.get()
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    type(office).objects.filter(pk=office.pk).update(name="改名后的管理处")
    assert commit_import_batch.call(batch.pk, admin_user.pk) == "rejected"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.report["counts"]["error"] == 1
    assert not Enterprise.objects.exists()
    assert AuditEvent.objects.filter(action="import.rejected").count() == 1


def test_previews_left_unconfirmed_for_a_week_are_discarded_on_the_next_upload(client_for, admin_user, batch):
    from datetime import timedelta

    from django.utils import timezone

    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(days=8))
    post_file(client_for(admin_user), xlsx_bytes(HEADERS, enterprise_rows(1)))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and batch.rows == []
    assert ImportBatch.objects.latest("id").status == ImportBatch.Status.PREVIEWED
    assert AuditEvent.objects.filter(action="import.expire").count() == 1
