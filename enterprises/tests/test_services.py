"""Writes on the register: validation with Chinese messages, optimistic locking, audit rows."""

import random

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from core.services import StaleEditError
from core.validators import make_uscc
from enterprises.models import Enterprise
from enterprises.services import (
    enterprise_create,
    enterprise_update,
    industry_code_warning,
    research_institution_create,
    research_institution_update,
)
from enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_enterprise_create_normalises_uscc_and_audits(admin_user):
    uscc = make_uscc(random.Random(1))
    enterprise = enterprise_create(actor=admin_user, uscc=uscc.lower(), name="测试企业有限公司")
    assert enterprise.uscc == uscc
    event = AuditEvent.objects.get(action="enterprise.create")
    assert event.actor == admin_user and event.target_id == str(enterprise.pk)


def test_enterprise_create_rejects_a_bad_check_digit_in_chinese(admin_user):
    uscc = make_uscc(random.Random(2))
    wrong = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位错误"):
        enterprise_create(actor=admin_user, uscc=wrong, name="测试企业")
    assert not Enterprise.objects.exists()


def test_enterprise_create_rejects_an_invalid_phone(admin_user):
    with pytest.raises(ValidationError, match="电话号码"):
        enterprise_create(actor=admin_user, uscc=make_uscc(random.Random(3)), name="测试企业", contact_phone="123")


def test_stale_enterprise_edit_is_refused(admin_user):
    enterprise = EnterpriseFactory.create()
    loaded_version = enterprise.version
    enterprise_update(actor=admin_user, enterprise=Enterprise.objects.get(pk=enterprise.pk), name="先保存的名称")
    with pytest.raises(StaleEditError, match="该记录已被他人修改"):
        enterprise_update(
            actor=admin_user,
            enterprise=Enterprise.objects.get(pk=enterprise.pk),
            expected_version=loaded_version,
            name="后保存的名称",
        )
    enterprise.refresh_from_db()
    assert enterprise.name == "先保存的名称" and enterprise.version == loaded_version + 1


def test_enterprise_update_audits_what_changed(admin_user):
    enterprise = EnterpriseFactory.create(is_key=False)
    enterprise_update(actor=admin_user, enterprise=enterprise, expected_version=enterprise.version, is_key=True)
    event = AuditEvent.objects.get(action="enterprise.update")
    assert event.data["changed"] == {"is_key": True}


def test_unknown_industry_code_only_warns():
    assert industry_code_warning("2710") is None
    assert "不在 GB/T 4754-2017 参考列表中" in (industry_code_warning("9999") or "")


def test_institution_update_is_versioned_and_audited(admin_user):
    institution = research_institution_create(actor=admin_user, name="测试研究院", kind="institute")
    research_institution_update(
        actor=admin_user, institution=institution, expected_version=institution.version, fields="抗体药物"
    )
    assert AuditEvent.objects.filter(action="institution.update").count() == 1
    with pytest.raises(StaleEditError):
        research_institution_update(actor=admin_user, institution=institution, expected_version=1, fields="疫苗")
