"""Importing party organizations and party members from Excel."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chains.tests.factories import ChainFactory
from core.models import AuditEvent, ImportBatch
from core.tests.import_helpers import upload, xlsx_bytes
from core.validators import make_resident_id
from enterprises.tests.factories import EnterpriseFactory
from organizations.choices import Formation, OrgType
from organizations.importers import MemberImporter, OrganizationImporter
from organizations.models import PartyMember, PartyOrganization
from organizations.tests.factories import PartyMemberFactory, PartyOrganizationFactory, cover

ORG_HEADERS = [c.header for c in OrganizationImporter.columns]
MEMBER_HEADERS = [c.header for c in MemberImporter.columns]
rng = random.Random(71)


def org_row(name, **cells):
    values = {"名称": name, **cells}
    return [values.get(h, "") for h in ORG_HEADERS]


def member_row(name, organization, **cells):
    values = {"姓名": name, "所在党组织": organization, **cells}
    return [values.get(h, "") for h in MEMBER_HEADERS]


def upload_to(client, key, headers, rows):
    return client.post(reverse("core:import_upload", args=[key]), {"file": upload(xlsx_bytes(headers, rows))})


def commit_latest(client):
    batch = ImportBatch.objects.latest("id")
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    return batch


def issues_of(batch):
    return {(i["row"], i["column"]): i["message"] for i in batch.report["issues"]}


@pytest.fixture
def chain(db):
    return ChainFactory(name="生命健康", code="life_health")


def test_organizations_import_with_parent_defined_later_in_the_same_file(client_for, admin_user, chain):
    first, second = EnterpriseFactory(), EnterpriseFactory()
    client = client_for(admin_user)
    upload_to(
        client,
        "organizations",
        ORG_HEADERS,
        [
            org_row(
                "生命健康产业链联合党支部",
                类型="联合党支部",
                组建方式="产业链联合",
                上级党组织="新区非公企业党委",
                产业链="生命健康",
                书记="李四",
                成立日期="2022-05-04",
                覆盖企业USCC=f"{first.uscc}；{second.uscc}",
            ),
            org_row("新区非公企业党委", 类型="党委"),
        ],
    )
    batch = commit_latest(client)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.report
    joint = PartyOrganization.objects.get(name="生命健康产业链联合党支部")
    assert (joint.org_type, joint.formation, joint.chain, joint.secretary_name) == (
        OrgType.JOINT_BRANCH,
        Formation.CHAIN_JOINT,
        chain,
        "李四",
    )
    assert str(joint.founded_on) == "2022-05-04"
    assert joint.parent.name == "新区非公企业党委"
    assert set(joint.enterprises.all()) == {first, second}
    assert AuditEvent.objects.filter(action="organization.create").count() == 2


def test_known_organization_name_updates_it_and_replaces_covered_enterprises(client_for, admin_user):
    old, new = EnterpriseFactory(), EnterpriseFactory()
    organization = PartyOrganizationFactory(name="甲公司党支部", secretary_name="旧书记")
    cover(organization, [old])
    unchanged = PartyOrganizationFactory(name="乙公司党支部", secretary_name="不变")
    client = client_for(admin_user)
    upload_to(
        client,
        "organizations",
        ORG_HEADERS,
        [org_row("甲公司党支部", 书记="新书记", 覆盖企业USCC=new.uscc), org_row("乙公司党支部", 书记="不变")],
    )
    batch = ImportBatch.objects.latest("id")
    assert (batch.report["counts"]["updated"], batch.report["counts"]["unchanged"]) == (1, 1)
    commit_latest(client)
    organization.refresh_from_db()
    assert organization.secretary_name == "新书记"
    assert list(organization.enterprises.all()) == [new]
    assert PartyOrganization.objects.count() == 2
    unchanged.refresh_from_db()
    assert unchanged.version == 1  # an unchanged row is not written


def test_organization_row_errors(client_for, admin_user):
    PartyOrganizationFactory(name="已有党委")
    client = client_for(admin_user)
    upload_to(
        client,
        "organizations",
        ORG_HEADERS,
        [
            org_row("甲党支部", 上级党组织="不存在的党委"),
            org_row("乙党支部", 类型="党小组", 产业链="不存在的链"),
            org_row("丙党支部", 覆盖企业USCC="91360100MA35AB1C2D；123"),
            org_row("丁党支部", 覆盖企业USCC="91360100MA35AB1C2D"),
            org_row("戊党支部", 上级党组织="戊党支部"),
            org_row("己党支部", 上级党组织="庚党支部"),
            org_row("庚党支部", 上级党组织="己党支部"),
            org_row("甲党支部", 上级党组织="已有党委"),
        ],
    )
    batch = ImportBatch.objects.latest("id")
    issues = issues_of(batch)
    assert "上级党组织“不存在的党委”不存在" in issues[(2, "上级党组织")]
    assert "党委、党总支、党支部、联合党支部" in issues[(3, "类型")]
    assert "产业链“不存在的链”不存在" in issues[(3, "产业链")]
    assert issues[(4, "覆盖企业USCC")].startswith("第 2 项“123”：统一社会信用代码应为 18 位")
    assert "91360100MA35AB1C2D" in issues[(5, "覆盖企业USCC")]
    assert issues[(6, "上级党组织")] == "上级党组织不能是自身。"
    assert "循环" in issues[(7, "上级党组织")] and "循环" in issues[(8, "上级党组织")]
    assert "与第 2 行重复" in issues[(9, "名称")]
    commit_latest(client)
    assert PartyOrganization.objects.count() == 1


def test_members_import_and_a_known_id_number_updates_the_member(client_for, admin_user):
    organization = PartyOrganizationFactory(name="甲公司党支部")
    enterprise = EnterpriseFactory()
    known_id = make_resident_id(rng)
    member = PartyMemberFactory(name="王五", organization=organization, id_number=known_id, post="旧岗位")
    by_name = PartyMemberFactory(name="赵六", organization=organization, post="技术员")
    new_id = make_resident_id(rng, birth="19850305")
    client = client_for(admin_user)
    upload_to(
        client,
        "members",
        MEMBER_HEADERS,
        [
            member_row("王五", "甲公司党支部", 岗位="新岗位", 工作单位USCC=enterprise.uscc, 身份证号=known_id),
            member_row("赵六", "甲公司党支部", 岗位="技术员"),
            member_row("钱七", "甲公司党支部", 入党日期="2015/6/30", 身份证号=new_id, 手机号="13900139000"),
        ],
    )
    batch = ImportBatch.objects.latest("id")
    assert {k: batch.report["counts"][k] for k in ("new", "updated", "unchanged")} == {
        "new": 1,
        "updated": 1,
        "unchanged": 1,
    }
    commit_latest(client)
    member.refresh_from_db()
    assert (member.post, member.enterprise) == ("新岗位", enterprise)
    assert PartyMember.objects.count() == 3
    created = PartyMember.objects.get(name="钱七")
    assert (created.id_number, created.phone, str(created.joined_on)) == (new_id, "13900139000", "2015-06-30")
    by_name.refresh_from_db()
    assert by_name.version == 1
    assert AuditEvent.objects.filter(action="member.update", target_id=str(member.pk)).exists()


def test_member_row_errors(client_for, admin_user):
    organization = PartyOrganizationFactory(name="甲公司党支部")
    PartyMemberFactory.create_batch(2, name="同名", organization=organization)
    duplicate_id = make_resident_id(rng)
    client = client_for(admin_user)
    upload_to(
        client,
        "members",
        MEMBER_HEADERS,
        [
            member_row("甲", "不存在的党支部"),
            member_row("乙", "甲公司党支部", 身份证号="360102199001010011", 手机号="123"),
            member_row("丙", "甲公司党支部", 工作单位USCC="91360100MA35AB1C2D", 入党日期="2099-01-01"),
            member_row("同名", "甲公司党支部"),
            member_row("丁", "甲公司党支部", 身份证号=duplicate_id),
            member_row("戊", "甲公司党支部", 身份证号=duplicate_id),
        ],
    )
    issues = issues_of(ImportBatch.objects.latest("id"))
    assert "党组织“不存在的党支部”不存在" in issues[(2, "所在党组织")]
    assert issues[(3, "身份证号")] == "身份证号校验位错误。"
    assert "无效" in issues[(3, "手机号")] or "无法识别" in issues[(3, "手机号")]
    assert "请先导入企业名录" in issues[(4, "工作单位USCC")]
    assert "晚于今天" in issues[(4, "入党日期")]
    assert "2 名同名党员" in issues[(5, "身份证号")]
    assert "与第 6 行重复" in issues[(7, "身份证号")]
    commit_latest(client)
    assert PartyMember.objects.count() == 2


def test_member_preview_queries_do_not_grow_with_rows(client_for, admin_user):
    organization = PartyOrganizationFactory(name="甲公司党支部")
    enterprise = EnterpriseFactory()
    client = client_for(admin_user)

    def rows(n):
        ids = {make_resident_id(rng, birth=f"19{85 + i // 12:02d}{i % 12 + 1:02d}15") for i in range(n)}
        return [
            member_row(f"党员{i}", organization.name, 工作单位USCC=enterprise.uscc, 身份证号=id_number)
            for i, id_number in enumerate(sorted(ids))
        ] + [member_row(f"无证党员{i}", organization.name) for i in range(n)]

    with CaptureQueriesContext(connection) as small:
        upload_to(client, "members", MEMBER_HEADERS, rows(2))
    with CaptureQueriesContext(connection) as large:
        upload_to(client, "members", MEMBER_HEADERS, rows(40))
    assert len(large.captured_queries) == len(small.captured_queries) <= 11
    report = ImportBatch.objects.latest("id").report
    assert report["counts"]["new"] == 80, report["issues"][:3]


def test_organization_preview_queries_do_not_grow_with_rows(client_for, admin_user, chain):
    enterprises = EnterpriseFactory.create_batch(6)
    PartyOrganizationFactory(name="上级党委")
    client = client_for(admin_user)

    def rows(n):
        usccs = "；".join(e.uscc for e in enterprises)
        return [org_row(f"党支部{i}", 上级党组织="上级党委", 产业链="生命健康", 覆盖企业USCC=usccs) for i in range(n)]

    with CaptureQueriesContext(connection) as small:
        upload_to(client, "organizations", ORG_HEADERS, rows(2))
    with CaptureQueriesContext(connection) as large:
        upload_to(client, "organizations", ORG_HEADERS, rows(40))
    assert len(large.captured_queries) == len(small.captured_queries) <= 13
