"""Importing placements (enterprises on chain links) from Excel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chains.importers import PlacementImporter
from chains.models import Placement
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from core.models import AuditEvent, ImportBatch
from core.tests.import_helpers import upload, xlsx_bytes
from enterprises.tests.factories import EnterpriseFactory

HEADERS = [c.header for c in PlacementImporter.columns]


def upload_rows(client, rows):
    return client.post(reverse("core:import_upload", args=["placements"]), {"file": upload(xlsx_bytes(HEADERS, rows))})


def latest_batch():
    return ImportBatch.objects.latest("id")


@pytest.fixture
def chain(db):
    return ChainFactory(name="生命健康", code="life_health")


@pytest.fixture
def link(chain):
    return LinkFactory(chain=chain, name="创新药研发")


def test_admin_places_enterprises_on_links(client_for, admin_user, chain, link):
    other_link = LinkFactory(chain=chain, name="医疗器械")
    first, second = EnterpriseFactory(), EnterpriseFactory()
    client = client_for(admin_user)
    upload_rows(
        client,
        [
            [first.uscc, "生命健康", "创新药研发", "抗体药物"],
            [first.uscc, "生命健康", "医疗器械", ""],
            [second.uscc, "生命健康", "创新药研发", "疫苗"],
        ],
    )
    batch = latest_batch()
    assert batch.report["counts"]["new"] == 3
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    assert set(Placement.objects.values_list("enterprise__uscc", "link__name", "main_product")) == {
        (first.uscc, "创新药研发", "抗体药物"),
        (first.uscc, "医疗器械", ""),
        (second.uscc, "创新药研发", "疫苗"),
    }
    assert other_link.placements.count() == 1
    assert AuditEvent.objects.filter(action="placement.create").count() == 3
    assert AuditEvent.objects.filter(action="import.commit", actor=admin_user).exists()


def test_known_placement_updates_its_main_product(client_for, admin_user, link):
    placement = PlacementFactory(link=link, main_product="旧产品")
    unchanged = PlacementFactory(link=link, main_product="不变")
    client = client_for(admin_user)
    upload_rows(
        client,
        [
            [placement.enterprise.uscc, "生命健康", "创新药研发", "新产品"],
            [unchanged.enterprise.uscc, "生命健康", "创新药研发", ""],
        ],
    )
    batch = latest_batch()
    assert (batch.report["counts"]["updated"], batch.report["counts"]["unchanged"]) == (1, 1)
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    placement.refresh_from_db()
    unchanged.refresh_from_db()
    assert Placement.objects.count() == 2
    assert (placement.main_product, unchanged.main_product) == ("新产品", "不变")


def test_unknown_enterprise_chain_and_link_are_row_errors_and_nothing_is_written(client_for, admin_user, link):
    known = EnterpriseFactory()
    stranger = EnterpriseFactory.build()
    client = client_for(admin_user)
    upload_rows(
        client,
        [
            [known.uscc, "生命健康", "创新药研发", "ok"],
            [stranger.uscc, "生命健康", "创新药研发", ""],
            [known.uscc, "数字经济", "算力", ""],
            [known.uscc, "生命健康", "不存在的环节", ""],
            [known.uscc, "生命健康", "创新药研发", "重复"],
        ],
    )
    batch = latest_batch()
    issues = {(i["row"], i["column"]): i["message"] for i in batch.report["issues"]}
    assert "请先导入企业名录" in issues[(3, "统一社会信用代码")]
    assert "产业链“数字经济”不存在" in issues[(4, "产业链")]
    assert "没有名为“不存在的环节”的环节" in issues[(5, "环节")]
    assert "与第 2 行重复" in issues[(6, "统一社会信用代码")]
    client.post(reverse("core:import_batch_commit", args=[batch.pk]))
    assert not Placement.objects.exists()


def test_placement_preview_queries_do_not_grow_with_rows(client_for, admin_user, link):
    client = client_for(admin_user)
    enterprises = EnterpriseFactory.create_batch(40)
    PlacementFactory(enterprise=enterprises[0], link=link)
    with CaptureQueriesContext(connection) as small:
        upload_rows(client, [[e.uscc, "生命健康", "创新药研发", "x"] for e in enterprises[:3]])
    with CaptureQueriesContext(connection) as large:
        upload_rows(client, [[e.uscc, "生命健康", "创新药研发", "x"] for e in enterprises])
    assert len(large.captured_queries) == len(small.captured_queries) <= 11
    assert latest_batch().report["counts"]["new"] == 39
