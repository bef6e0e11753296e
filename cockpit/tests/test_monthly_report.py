"""The monthly report: live for an open month, frozen once closed; the workbook; who may close."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from cockpit.models import MonthlySnapshot
from cockpit.services import monthly_snapshot_close
from core.models import AuditEvent
from investment.models import InvestmentTeam, Project
from organizations.tests.factories import PartyOrganizationFactory


def _last_month() -> tuple[int, int]:
    today = date.today()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _headline(data, key, column="month"):
    return next(row[column] for row in data["headline"] if row["key"] == key)


def test_closing_a_month_freezes_its_report(area, admin_user, client_for):
    year, month = _last_month()
    team = InvestmentTeam.objects.create(name="第一招商组")
    Project.objects.create(
        name="健康产品基地",
        team=team,
        chain=area.lh,
        stage="signed",
        signed_on=date(year, month, 1),
        amount_wan=Decimal("200000.50"),
    )
    snapshot = monthly_snapshot_close(actor=admin_user, year=year, month=month)
    assert _headline(snapshot.data, "organizations") == 4
    assert _headline(snapshot.data, "investment_signed_wan") == "200000.50"
    assert AuditEvent.objects.filter(action="cockpit.month_closed", target_id=str(snapshot.pk)).exists()

    # Records change after the close: the closed month's report does not.
    PartyOrganizationFactory(name="新成立支部", chain=area.lh)
    Project.objects.create(
        name="补签项目", team=team, stage="signed", signed_on=date(year, month, 2), amount_wan=Decimal("1")
    )
    page = client_for(admin_user).get(reverse("cockpit:report"), {"month": f"{year}-{month:02d}"})
    assert page.status_code == 200
    headline = page.context["report"]["headline"]
    assert next(r["month"] for r in headline if r["key"] == "organizations") == 4
    assert next(r["month"] for r in headline if r["key"] == "projects_signed") == 1
    assert "冻结数据" in page.content.decode()

    # The live figures have moved on, which proves the report above came from the snapshot.
    live = client_for(admin_user).get("/api/v1/cockpit/summary", {"year": year}).json()
    assert live["organizations"] == 5


def test_a_month_closes_once_and_only_after_it_ends(area, admin_user):
    year, month = _last_month()
    monthly_snapshot_close(actor=admin_user, year=year, month=month)
    with pytest.raises(ValidationError, match="已关账"):
        monthly_snapshot_close(actor=admin_user, year=year, month=month)
    today = date.today()
    with pytest.raises(ValidationError, match="尚未结束"):
        monthly_snapshot_close(actor=admin_user, year=today.year, month=today.month)
    assert MonthlySnapshot.objects.count() == 1


def test_only_admins_close_a_month(area, leader, client_for):
    year, month = _last_month()
    with pytest.raises(PermissionDenied):
        monthly_snapshot_close(actor=leader, year=year, month=month)
    response = client_for(leader).post(reverse("cockpit:report_close"), {"month": f"{year}-{month:02d}"})
    assert response.status_code == 404
    assert not MonthlySnapshot.objects.exists()


def test_admin_closes_a_month_from_the_page(area, admin_user, client_for):
    year, month = _last_month()
    client = client_for(admin_user)
    page = client.get(reverse("cockpit:report"), {"month": f"{year}-{month:02d}"})
    assert 'id="report-close"' in page.content.decode()
    response = client.post(reverse("cockpit:report_close"), {"month": f"{year}-{month:02d}"}, follow=True)
    assert response.status_code == 200
    assert MonthlySnapshot.objects.filter(year=year, month=month).exists()
    assert 'id="report-close"' not in response.content.decode()


def test_report_workbook_has_every_sheet(area, leader, client_for):
    year, month = _last_month()
    response = client_for(leader).get(reverse("cockpit:report"), {"month": f"{year}-{month:02d}", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[1:] == [
        "组织链分链",
        "问题清单",
        "实效清单",
        "招商项目阶段",
        "本月签约项目",
        "人才补贴发放汇总",
        "人才补贴发放明细",
    ]
    headline = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert headline["党组织（个）"] == 4


def test_office_handlers_have_no_monthly_report(area, east_handler, client_for):
    assert client_for(east_handler).get(reverse("cockpit:report")).status_code == 404
