"""Pages of the core app: Excel import (upload → preview → commit), for admins only."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.access import get_visible_or_404
from core.exporting import XLSX, workbook_response
from core.forms import ImportUploadForm
from core.importing import ImportFileError, ImportRejected, build_template
from core.importing.base import ACTION_LABELS, Importer
from core.importing.registry import UnknownImporter, all_importers, get_importer
from core.importing.services import (
    import_batch_create,
    import_batch_discard,
    import_batch_request_commit,
    may_import,
)
from core.models import ImportBatch

PAGE_SIZE = 50


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Permission rule of every import page: logged in (else the login page) and admin (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_import(request.user):
            raise PermissionDenied("只有管理员可以导入数据。")
        return view(request, *args, **kwargs)

    return wrapper


def _importer_or_404(key: str) -> type[Importer]:
    try:
        return get_importer(key)
    except UnknownImporter:
        raise Http404("没有这种导入。") from None


def _batches_for(user: Any) -> Any:
    """Import batches an admin may see: all of them (admins of the area share the work)."""
    if not may_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.select_related("created_by").defer("rows")


@admin_required
def imports_index(request: HttpRequest) -> HttpResponse:
    importers = all_importers()
    titles = {importer.key: importer.title for importer in importers}
    page = Paginator(_batches_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page:
        batch.importer_title = titles.get(batch.importer_key, batch.importer_key)
        batch.counts = batch.report.get("counts", {})
    return render(
        request,
        "core/imports/index.html",
        {"importers": importers, "page": page, "titles": titles},
    )


@admin_required
def import_template(request: HttpRequest, key: str) -> HttpResponse:
    importer = _importer_or_404(key)
    response = HttpResponse(build_template(importer), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(importer.title + '导入模板.xlsx')}"
    return response


@admin_required
def import_upload(request: HttpRequest, key: str) -> HttpResponse:
    importer = _importer_or_404(key)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_create(
                actor=request.user, importer_key=importer.key, upload=upload, file_name=upload.name or ""
            )
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("core:import_batch", pk=batch.pk)
    status = 400 if form.errors else 200
    return render(request, "core/imports/upload.html", {"importer": importer, "form": form}, status=status)


@admin_required
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(_batches_for(request.user), pk=pk)
    importer = _importer_or_404(batch.importer_key)
    issues = batch.report.get("issues", [])
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "importer": importer,
        "counts": batch.report.get("counts", {}),
        "report": batch.report,
        "page": page,
        "labels": ACTION_LABELS,
        "can_commit": batch.status == ImportBatch.Status.PREVIEWED and batch.report.get("counts", {}).get("error") == 0,
    }
    template = "core/imports/batch.html"
    if getattr(request, "htmx", False):
        if request.GET.get("poll"):
            if batch.status != ImportBatch.Status.COMMITTING:
                return HttpResponse(headers={"HX-Refresh": "true"})
            return render(request, template + "#progress", context)
        template += "#issues"
    return render(request, template, context)


@admin_required
def import_batch_issues_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(_batches_for(request.user), pk=pk)
    rows = [
        (issue["row"], issue["column"], "错误" if issue["level"] == "error" else "提示", issue["message"])
        for issue in batch.report.get("issues", [])
    ]
    return workbook_response(f"导入检查结果-{batch.pk}.xlsx", ["行号", "列", "级别", "原因"], rows, title="检查结果")


@admin_required
def imports_export(request: HttpRequest) -> HttpResponse:
    titles = {importer.key: importer.title for importer in all_importers()}
    rows = (
        (
            batch.created_at,
            titles.get(batch.importer_key, batch.importer_key),
            batch.file_name,
            batch.created_by,
            batch.get_status_display(),
            batch.report.get("counts", {}).get("new", 0),
            batch.report.get("counts", {}).get("updated", 0),
            batch.report.get("counts", {}).get("unchanged", 0),
            batch.report.get("counts", {}).get("error", 0),
        )
        for batch in _batches_for(request.user).iterator(chunk_size=500)
    )
    return workbook_response(
        "导入记录.xlsx", ["上传时间", "导入类型", "文件名", "上传人", "状态", "新增", "更新", "无变化", "有错误"], rows
    )


@require_POST
@admin_required
def import_batch_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(_batches_for(request.user), pk=pk)
    try:
        batch = import_batch_request_commit(actor=request.user, batch=batch)
    except ImportRejected as rejected:
        messages.error(
            request,
            f"导入未执行：重新检查时发现 {rejected.report.counts.get('error', 0)} 行有错误（数据可能已被他人修改），"
            "没有写入任何数据。请查看下方错误。",
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        counts = batch.report.get("counts", {})
        if batch.status == ImportBatch.Status.COMMITTING:
            messages.info(request, f"文件共 {counts.get('total', 0)} 行，已转入后台导入；完成后本页自动刷新。")
            return redirect("core:import_batch", pk=pk)
        messages.success(
            request,
            f"导入完成：新增 {counts.get('new', 0)} 条，更新 {counts.get('updated', 0)} 条，"
            f"无变化 {counts.get('unchanged', 0)} 条。",
        )
    return redirect("core:import_batch", pk=pk)


@require_POST
@admin_required
def import_batch_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(_batches_for(request.user), pk=pk)
    try:
        import_batch_discard(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.info(request, "已放弃本次导入，没有写入任何数据。")
    return redirect("core:imports")
