"""Pages of the register: lists, filters, exports, forms through the services, role scoping."""

import random
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chains.tests.factories import PlacementFactory
from core.models import AuditEvent
from core.validators import make_uscc
from enterprises.models import Enterprise
from enterprises.tests.factories import EnterpriseFactory, ResearchInstitutionFactory
from enterprises.tests.querycount import assert_constant_queries
from organizations.tests.factories import PairingFactory

pytestmark = pytest.mark.django_db


def _form_data(enterprise=None, **overrides):
    data = {
        "uscc": make_uscc(random.Random(7)),
        "name": "新建测试有限公司",
        "short_name": "新建",
        "size_class": "above",
        "industry_code": "2710",
        "management_office": "",
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "revenue_wan": "",
        "founded_on": "",
    }
    if enterprise is not None:
        data.update(
            uscc=enterprise.uscc, name=enterprise.name, short_name=enterprise.short_name, version=enterprise.version
        )
    data.update(overrides)
    return data


def test_list_is_paginated_filterable_and_constant_in_queries(client, admin_user, instructor):
    client.force_login(admin_user)

    def grow():
        for _ in range(8):
            enterprise = EnterpriseFactory.create()
            PairingFactory.create(staff=instructor, enterprise=enterprise)

    assert_constant_queries(client, reverse("enterprises:list"), grow, at_most=10)
    EnterpriseFactory.create(name="独一无二生物有限公司", is_key=True)
    response = client.get(reverse("enterprises:list"), {"q": "独一无二", "is_key": "true"})
    assert "独一无二生物有限公司" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 1


def test_list_filters_by_chain(client, admin_user):
    placed = PlacementFactory.create()
    EnterpriseFactory.create(name="未落链企业")
    client.force_login(admin_user)
    response = client.get(reverse("enterprises:list"), {"chain": placed.link.chain_id})
    assert [row[0][0][0] for row in response.context["table"]] == [placed.enterprise.name]


def test_export_is_xlsx_with_the_same_rows_and_audited(client, admin_user):
    EnterpriseFactory.create(name="导出企业甲")
    EnterpriseFactory.create(name="导出企业乙")
    client.force_login(admin_user)
    response = client.get(reverse("enterprises:list"), {"q": "导出企业甲", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "企业名称" and [r[0] for r in rows[1:]] == ["导出企业甲"]
    event = AuditEvent.objects.get(action="export.enterprises")
    assert event.data["rows"] == 1 and event.data["filters"] == {"q": "导出企业甲"}


def test_admin_creates_an_enterprise_through_the_form(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("enterprises:create"), _form_data())
    enterprise = Enterprise.objects.get(name="新建测试有限公司")
    assert response.status_code == 302 and response["Location"] == reverse("enterprises:detail", args=[enterprise.pk])
    assert AuditEvent.objects.filter(action="enterprise.create", target_id=str(enterprise.pk)).exists()


def test_bad_uscc_shows_a_chinese_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("enterprises:create"), _form_data(uscc="91360100ABC"))
    assert response.status_code == 200
    assert "统一社会信用代码应为 18 位" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_unknown_industry_code_warns_but_saves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("enterprises:create"), _form_data(industry_code="9999"), follow=True)
    assert Enterprise.objects.filter(industry_code="9999").exists()
    assert "不在 GB/T 4754-2017 参考列表中" in response.content.decode()


def test_stale_edit_shows_that_someone_else_changed_the_record(client, admin_user):
    enterprise = EnterpriseFactory.create()
    client.force_login(admin_user)
    first = client.post(reverse("enterprises:edit", args=[enterprise.pk]), _form_data(enterprise, short_name="甲"))
    assert first.status_code == 302
    stale = client.post(reverse("enterprises:edit", args=[enterprise.pk]), _form_data(enterprise, short_name="乙"))
    assert stale.status_code == 200
    assert "该记录已被他人修改" in stale.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.short_name == "甲"


def test_detail_shows_placements_organizations_and_pairings(client, admin_user, instructor):
    placement = PlacementFactory.create()
    PairingFactory.create(staff=instructor, enterprise=placement.enterprise)
    client.force_login(admin_user)
    html = client.get(reverse("enterprises:detail", args=[placement.enterprise_id])).content.decode()
    assert placement.link.name in html and str(instructor) in html


def test_enterprise_user_sees_own_page_and_gets_404_on_another(client, enterprise_user, enterprise, other_enterprise):
    client.force_login(enterprise_user)
    assert client.get(reverse("enterprises:detail", args=[enterprise.pk])).status_code == 200
    assert client.get(reverse("enterprises:detail", args=[other_enterprise.pk])).status_code == 404
    response = client.get(reverse("enterprises:list"))
    assert response.context["page_obj"].paginator.count == 1


def test_only_admins_create_or_edit(client, leader, enterprise):
    client.force_login(leader)
    assert client.get(reverse("enterprises:create")).status_code == 403
    assert client.post(reverse("enterprises:edit", args=[enterprise.pk]), _form_data(enterprise)).status_code == 403


def test_talent_is_refused_the_register(client, talent_user):
    client.force_login(talent_user)
    assert client.get(reverse("enterprises:list")).status_code == 403


def test_institution_list_and_edit(client, admin_user):
    client.force_login(admin_user)
    assert_constant_queries(
        client,
        reverse("enterprises:institutions"),
        lambda: [ResearchInstitutionFactory.create() for _ in range(5)],
        at_most=6,
    )
    institution = ResearchInstitutionFactory.create(name="明湖研究院")
    response = client.post(
        reverse("enterprises:institution_edit", args=[institution.pk]),
        {"name": "明湖研究院", "kind": "institute", "region": "明湖", "fields": "药物", "version": institution.version},
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.fields == "药物"
