"""Stored XSS: payloads in every free-text field that pages display, then every reachable page is read back.

How: a small area is built (factories, plus one row of every other model of our apps built from its field definitions),
then EVERY free-text CharField/TextField of every row of our apps is overwritten with an XSS payload (enterprise
name/address, organization name, member post, visit summary/findings, need title/description/notes, matter fields,
posting title/text, roundtable minutes, agreement content, target products, project name, talent name, policy title…:
all of them, so a new field cannot be forgotten). Then the admin and an enterprise user crawl every list page of the
URLconf and the detail pages linked from them. The raw payload must never appear; its escaped form must (so the crawl
really rendered the data).
"""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from investment.tests.factories import ProjectFactory, PromotionEventFactory, TargetCompanyFactory
from organizations.tests.factories import VisitFactory, small_area
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory
from talent.tests.factories import TalentFactory
from tests.test_permission_matrix import PAGES

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("xss")]

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
OUR_APPS = {"core", "accounts", "enterprises", "chains", "organizations", "service_requests", "matching"}
OUR_APPS |= {"investment", "talent", "cockpit"}
#: Text fields that are identifiers or codes, not free text (their formats are validated; the pages link by them).
NOT_FREE_TEXT = {"username", "password", "id_number", "phone", "uscc", "code", "key", "digest", "prefix", "token"}
NOT_FREE_TEXT |= {"embedded_text_hash", "industry_code", "region_code", "mobile", "email", "url", "path", "stored_name"}
MAX_PAGES = 220


def _free_text_fields(model):
    for f in model._meta.concrete_fields:
        if not isinstance(f, models.CharField | models.TextField) or isinstance(
            f, models.SlugField | models.EmailField | models.URLField
        ):
            continue
        if f.choices or f.primary_key or f.name in NOT_FREE_TEXT or f.name.endswith(("_code", "_hash")):
            continue
        if isinstance(f, models.CharField) and (f.max_length or 0) < len(IMG) + 6:
            continue
        yield f


def _value_for(f, n):
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DecimalField):
        return Decimal("1")
    if isinstance(f, models.FloatField):
        return 1.0
    if isinstance(f, models.IntegerField):
        return 1
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return dt.date(2026, 3, 1)
    if isinstance(f, models.JSONField):
        return f.get_default() if f.has_default() else {}
    if isinstance(f, models.CharField | models.TextField):
        return f"x{n}"[: f.max_length or 100]
    return None


def _autocreate(model, depth=0):
    """One row of `model` from its field definitions (FKs to existing rows, else built recursively)."""
    kwargs = {}
    for n, f in enumerate(model._meta.concrete_fields):
        if f.primary_key or f.has_default() or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.is_relation:
            target = f.related_model
            existing = target._base_manager.order_by("?").first()
            if existing is None and not f.null and depth < 3:
                existing = _autocreate(target, depth + 1)
            if existing is None and not f.null:
                return None
            kwargs[f.name] = existing
        elif not f.null:
            kwargs[f.name] = _value_for(f, n)
    try:
        with transaction.atomic():
            return model._base_manager.create(**kwargs)
    except (IntegrityError, ValueError, TypeError):
        return None


@pytest.fixture
def poisoned(admin_user):
    area = small_area()
    VisitFactory.create(instructor=area.instructor, enterprise=area.e1)
    need = NeedFactory.create(enterprise=area.e1)
    MatterFactory.create(enterprise=area.e2)
    DeliveryFactory.create(request=need)
    TalentFactory.create(employer=area.e1)
    ProjectFactory.create(chain=area.chain)
    TargetCompanyFactory.create()
    PromotionEventFactory.create()
    our_models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and m._meta.managed]
    for model in our_models:
        if not model._base_manager.exists():
            _autocreate(model)
    poisoned_fields = []
    for model in our_models:
        fields = list(_free_text_fields(model))
        for i, f in enumerate(fields):
            payload = SCRIPT if i % 2 == 0 else IMG
            # payload + pk: unique-together constraints (name within a chain…) still hold
            model._base_manager.update(**{f.attname: Concat(Value(payload), Cast("pk", models.CharField()))})
            poisoned_fields.append(f"{model._meta.label}.{f.name}")
    enterprise_user = UserFactory(role=Role.ENTERPRISE, username="xss_enterprise", enterprise=area.e1)
    return {"fields": poisoned_fields, "users": [admin_user, enterprise_user]}


LIST_PAGES = [path for path, _name, _ns in PAGES if "999999" not in path and "/x" not in path]
_HREF = re.compile(r'href="(/[^"#?]*)"')


def test_the_payload_reaches_the_fields_the_brief_names(poisoned):
    for name in (
        "enterprises.Enterprise.name",
        "enterprises.Enterprise.address",
        "organizations.PartyOrganization.name",
        "organizations.Visit.summary",
        "organizations.Visit.findings",
        "service_requests.ServiceRequest.title",
        "service_requests.ServiceRequest.description",
        "matching.Posting.title",
        "investment.Project.name",
        "talent.Talent.name",
    ):
        assert name in poisoned["fields"]


def test_no_page_renders_a_stored_payload_unescaped(client, poisoned):
    escaped_seen = 0
    unsafe: list[str] = []
    failing: list[str] = []
    visited: set[str] = set()
    for user in poisoned["users"]:
        client.force_login(user)
        queue = list(LIST_PAGES)
        seen: set[str] = set()
        while queue and len(seen) < MAX_PAGES:
            path = queue.pop(0)
            if path in seen or re.search(r"/(export|download|logout|delete)", path):
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code >= 500:
                failing.append(f"{user.username} {path} {response.status_code}")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode("utf-8", "replace")
            if SCRIPT in body or IMG in body:
                unsafe.append(f"{user.username} {path}")
            if "&lt;script&gt;alert(1)&lt;/script&gt;" in body or unescape("&quot;&gt;&lt;img") in body:
                escaped_seen += 1
            for href in _HREF.findall(body):
                if re.search(r"/\d+/", href + "/") and href not in seen:
                    queue.append(href)
        visited |= seen
        client.logout()
    assert not unsafe, f"stored XSS: payload rendered raw on {unsafe}"
    assert not failing, f"server errors on pages showing hostile text: {failing}"
    assert escaped_seen >= 20, f"only {escaped_seen} of {len(visited)} pages showed the (escaped) payload"
