"""Fixtures of the matching tests: the dense layer is off unless a test asks for it (the e5 model then loads
once per process), and every test starts with an empty in-process index cache."""

from datetime import date
from typing import Any

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from chains.choices import Stage
from chains.tests.factories import ChainFactory, LinkFactory
from enterprises.choices import InstitutionKind
from enterprises.tests.factories import EnterpriseFactory, ResearchInstitutionFactory
from matching import indexing, services
from matching.choices import PostingCategory, PostingKind
from organizations.choices import PairingKind
from organizations.tests.factories import PairingFactory


@pytest.fixture(autouse=True)
def _matching_defaults(settings: Any) -> Any:
    settings.MATCHING_DENSE_ENABLED = False
    indexing.reset_cache()
    yield
    indexing.reset_cache()


@pytest.fixture
def dense_on(settings: Any) -> None:
    settings.MATCHING_DENSE_ENABLED = True
    indexing.reset_cache()


@pytest.fixture
def area(db: Any, enterprise: Any, other_enterprise: Any, instructor: Any, admin_user: Any) -> Any:
    """A life-health chain with three stages, a purification need (enterprise), a purification capability
    (other_enterprise), an unrelated capability, and an institution's offer; the instructor is paired with
    `enterprise` only."""
    from types import SimpleNamespace

    chain = ChainFactory(name="生命健康", code="life_health")
    rnd = LinkFactory(chain=chain, name="药物研发", stage=Stage.UPSTREAM, keywords="分离纯化,活性成分")
    making = LinkFactory(chain=chain, name="原料药制造", stage=Stage.MIDSTREAM, keywords="原料药,中间体")
    selling = LinkFactory(chain=chain, name="医药流通", stage=Stage.DOWNSTREAM, keywords="冷链")
    third = EnterpriseFactory(name="第三方软件有限公司")
    university = ResearchInstitutionFactory(name="示范大学药学院", kind=InstitutionKind.UNIVERSITY)
    PairingFactory(kind=PairingKind.INSTRUCTOR_ENTERPRISE, staff=instructor, enterprise=enterprise)
    need = make_posting(
        admin_user,
        kind=PostingKind.NEED,
        enterprise=enterprise,
        link=making,
        title="中药活性成分无法提纯",
        text="我们提取的黄酮类活性成分纯度只有60%，无法提纯到药用标准，寻求分离纯化合作。",
        contact_name="张经理",
        contact_phone="13800000001",
        internal_note="急需，年内要投产",
    )
    capability = make_posting(
        admin_user,
        kind=PostingKind.CAPABILITY,
        enterprise=other_enterprise,
        link=rnd,
        title="分离纯化技术服务",
        text="具备大孔树脂吸附、制备液相色谱等分离纯化平台，可将天然产物活性成分纯度提升至98%以上。",
        contact_name="李工",
        contact_phone="13900000002",
        internal_note="产能还有余量",
    )
    unrelated = make_posting(
        admin_user,
        kind=PostingKind.CAPABILITY,
        enterprise=third,
        link=selling,
        title="医药冷链配送",
        text="2-8℃全程温控的医药冷链物流，覆盖县乡两级配送。",
    )
    offer = make_posting(
        admin_user,
        kind=PostingKind.TECH_OFFER,
        institution=university,
        title="天然产物纯化新工艺",
        text="高速逆流色谱分离纯化天然产物活性成分的新工艺，可技术许可。",
    )
    return SimpleNamespace(
        chain=chain,
        rnd=rnd,
        making=making,
        selling=selling,
        third=third,
        university=university,
        need=need,
        capability=capability,
        unrelated=unrelated,
        offer=offer,
    )


def make_posting(actor: Any, **fields: Any) -> Any:
    fields.setdefault("category", PostingCategory.TECHNOLOGY)
    fields.setdefault("valid_from", date(2026, 1, 1))
    return services.posting_create(actor=actor, **fields)


@pytest.fixture
def third_user(area: Any) -> Any:
    return UserFactory(role=Role.ENTERPRISE, username="p_third", enterprise=area.third)
