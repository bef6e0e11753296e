"""ProjectFilter's `signed`, `signed_from`, `signed_to`: the cockpit's signed projects, on the page, the export and in
the filter the API uses."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chains.tests.factories import ChainFactory
from investment.choices import Stage
from investment.filters import ProjectFilter
from investment.models import Project
from investment.tests.factories import InvestmentTeamFactory


@pytest.fixture
def projects(db):
    team = InvestmentTeamFactory()
    chain = ChainFactory(name="生命健康", code="lh")

    def make(name, stage, signed_on):
        return Project.objects.create(name=name, team=team, chain=chain, stage=stage, signed_on=signed_on)

    make("首日签约", Stage.SIGNED, date(2026, 3, 1))
    make("末日投产", Stage.PRODUCTION, date(2026, 3, 31))
    make("前一日签约", Stage.SIGNED, date(2026, 2, 28))
    make("后一日签约", Stage.REGISTERED, date(2026, 4, 1))
    make("签约后终止", Stage.DROPPED, date(2026, 3, 15))
    make("洽谈中", Stage.NEGOTIATING, None)
    return chain


def _listed(client, params):
    response = client.get(reverse("investment:project_list"), params)
    assert response.status_code == 200
    return response


def test_signed_in_dates_lists_signed_or_later_projects_dated_within_both_bounds(projects, client_for, leader):
    response = _listed(client_for(leader), {"signed": "true", "signed_from": "2026-03-01", "signed_to": "2026-03-31"})
    assert sorted(p.name for p in response.context["page"].object_list) == ["末日投产", "首日签约"]


def test_without_signed_a_project_dropped_after_signing_is_listed(projects, client_for, leader):
    response = _listed(client_for(leader), {"signed_from": "2026-03-01", "signed_to": "2026-03-31"})
    assert response.context["page"].paginator.count == 3
    assert _listed(client_for(leader), {"signed": "false"}).context["page"].paginator.count == 2


def test_the_export_lists_the_same_projects(projects, client_for, admin_user):
    response = client_for(admin_user).get(
        reverse("investment:project_list"),
        {"signed": "true", "signed_from": "2026-03-01", "signed_to": "2026-03-31", "export": "xlsx"},
    )
    assert load_workbook(BytesIO(response.content)).active.max_row - 1 == 2


def test_the_filter_serves_the_api_queryset_alike(projects):
    data = {"signed": "true", "signed_from": "2026-03-01", "signed_to": "2026-03-31", "chain": projects.pk}
    assert ProjectFilter(data, queryset=Project.objects.all()).qs.count() == 2


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"signed_from": "2026-02-30"}, "signed_from", "有效的日期"),
        ({"signed_to": "not-a-date"}, "signed_to", "有效的日期"),
        ({"signed_from": "2026-04-01", "signed_to": "2026-03-01"}, "signed_to", "不能早于"),
    ],
)
def test_bad_dates_are_refused_in_chinese(projects, client_for, leader, params, field, message):
    response = _listed(client_for(leader), params)
    errors = response.context["filter"].errors
    assert message in str(errors[field])
    assert message in response.content.decode()
