"""Province-scale synthetic data: enterprises, placements, party organizations and members, service requests with
their timelines, talents and postings — valid, skewed like real registers, reproducible from a seed.

Skew: enterprise k (0-based, in generation order) is drawn for a need with probability ∝ the density of ⌊n·u⁴⌋ for a
uniform u, so the first 1 % of enterprises (the "large" ones: above designated size, key, often chain leaders) raise
about a third of all needs and employ a large share of talents, while most small firms raise none or one.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from demo.scale import words
from demo.scale.ids import resident_id_for, uscc_for
from demo.scale.sink import Table, reserve_ids, write

Log = Callable[[str], None]
_MOBILE_PREFIXES = (
    "130",
    "131",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "177",
    "186",
    "188",
)

_NEED_PATH = [  # action, from, to, typical delay in hours after the previous step
    ("submit", "", "submitted", 0),
    ("accept", "submitted", "accepted", 6),
    ("dispatch", "accepted", "dispatched", 10),
    ("sign", "dispatched", "signed", 8),
    ("start", "signed", "in_progress", 12),
    ("resolve", "in_progress", "resolved", 120),
    ("rate", "resolved", "rated", 48),
    ("verify", "rated", "verified", 24),
    ("close", "verified", "closed", 24),
]
_MATTER_PATH = [
    ("submit", "", "ordered", 0),
    ("accept", "ordered", "accepted", 4),
    ("handle", "accepted", "handled", 48),
    ("complete", "handled", "done", 24),
    ("rate", "done", "rated", 48),
]
_STATE_TIMESTAMP = {
    "accepted": "accepted_at",
    "dispatched": "dispatched_at",
    "signed": "signed_at",
    "resolved": "resolved_at",
    "done": "resolved_at",
    "rated": "rated_at",
    "verified": "verified_at",
    "closed": "closed_at",
}


@dataclass
class Counts:
    enterprises: int = 0
    needs: int = 0
    talents: int = 0
    postings: int = 0


@dataclass
class Result:
    """What was written, per table, and the id range of the generated enterprises (the largest come first)."""

    rows: dict[str, int] = field(default_factory=dict)
    first_enterprise_id: int | None = None
    skipped: list[str] = field(default_factory=list)


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


class ScaleGenerator:
    CHUNK = 50_000

    def __init__(self, counts: Counts, *, seed: int = 1, log: Log | None = None) -> None:
        self.counts = counts
        self.rng = random.Random(seed)
        self.log = log or (lambda message: None)
        self.now = timezone.now()
        self.result = Result()
        self.tables: set[str] = set()
        self.enterprise_ids: list[int] = []
        self.enterprise_chain: list[int | None] = []
        self.enterprise_office: list[int | None] = []

    # ---- helpers -------------------------------------------------------------------------------------------------
    def skewed_index(self, n: int) -> int:
        """An index in [0, n): small indexes (the large enterprises) far more often than large ones."""
        return min(n - 1, int(n * self.rng.random() ** 4))

    def person(self) -> str:
        rng = self.rng
        return rng.choice(words.SURNAMES) + "".join(rng.choice(words.GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def mobile(self) -> str:
        return f"{self.rng.choice(_MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def moment_in_past(self, days: int, skew: float = 1.5) -> datetime:
        """A time within the last `days` days, recent times more likely (activity grows)."""
        return self.now - timedelta(seconds=int(days * 86400 * self.rng.random() ** skew))

    def _write(self, label: str, table: Table, rows: Iterator[tuple[Any, ...]]) -> None:
        written = write(table, rows)
        self.tables.add(table.db_table)
        self.result.rows[label] = self.result.rows.get(label, 0) + written

    def _chunks(self, total: int) -> Iterator[tuple[int, int]]:
        for start in range(0, total, self.CHUNK):
            yield start, min(total, start + self.CHUNK)

    # ---- reference data ------------------------------------------------------------------------------------------
    def reference(self) -> None:
        """Units, chains and links, instructors and catalog services: reuse what the database has (the demo area),
        create a minimal set otherwise."""
        from accounts.choices import Role, UnitKind
        from accounts.models import Unit, User

        offices = list(Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE).values_list("pk", flat=True))
        if not offices:
            offices = [
                Unit.objects.get_or_create(name=f"规模测试第{i}管理处", defaults={"kind": UnitKind.MANAGEMENT_OFFICE})[
                    0
                ].pk
                for i in range(1, 6)
            ]
        self.offices = offices
        handling = list(Unit.objects.exclude(kind=UnitKind.MANAGEMENT_OFFICE).values_list("pk", flat=True))
        if not handling:
            handling = [
                Unit.objects.get_or_create(name=name, defaults={"kind": UnitKind.DEPARTMENT})[0].pk
                for name in ("规模测试人社局", "规模测试科技局", "规模测试财政局", "规模测试自然资源局")
            ]
        self.handling_units = handling
        self.instructors: list[int | None] = list(
            User.objects.filter(role=Role.INSTRUCTOR).values_list("pk", flat=True)
        ) or [None]

        self.links: list[tuple[int, int]] = []  # (link id, chain id)
        if _model("chains.Chain") is not None:
            from chains.models import Chain, Link

            if not Chain.objects.exists():
                for order, (name, code, parts) in enumerate(
                    [
                        ("生命健康", "health", ["原料药", "制剂", "医疗器械", "医药流通"]),
                        ("数字经济", "digital", ["芯片与元器件", "软件开发", "数据服务", "智能终端"]),
                        ("微短剧", "drama", ["内容创作", "拍摄制作", "发行推广", "版权运营"]),
                    ]
                ):
                    chain = Chain.objects.create(name=name, code=code, sort_order=order)
                    for i, part in enumerate(parts):
                        Link.objects.create(
                            chain=chain,
                            name=part,
                            stage=["upstream", "midstream", "downstream", "downstream"][i],
                            function=["rnd", "manufacturing", "application", "service"][i],
                            sort_order=i,
                        )
            self.links = list(Link.objects.order_by("pk").values_list("pk", "chain_id"))
        self.services: list[tuple[int, int]] = []
        if _model("service_requests.Service") is not None:
            from service_requests.models import Service

            self.services = list(Service.objects.filter(is_active=True).values_list("pk", "unit_id"))
        self.institutions: list[int] = []
        if _model("enterprises.ResearchInstitution") is not None:
            from enterprises.models import ResearchInstitution

            self.institutions = list(ResearchInstitution.objects.values_list("pk", flat=True))

    # ---- enterprises and their placements ------------------------------------------------------------------------
    def enterprises(self) -> None:
        from enterprises.models import Enterprise

        n = self.counts.enterprises
        if not n:
            return
        first = reserve_ids(Enterprise, n)
        self.result.first_enterprise_id = first
        self.enterprise_ids = list(range(first, first + n))
        rng = self.rng
        table = Table(
            Enterprise,
            [
                "id",
                "uscc",
                "name",
                "short_name",
                "size_class",
                "industry_code",
                "is_key",
                "is_leading",
                "management_office",
                "address",
                "contact_name",
                "contact_phone",
                "revenue_wan",
                "founded_on",
                "created_at",
                "updated_at",
            ],
        )
        self.enterprise_chain = [None] * n
        self.enterprise_office = [None] * n
        links = self.links

        placement_rows: list[tuple[int, int, str]] = []

        def rows(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
            for k in range(lo, hi):
                pk = first + k
                large = k < max(1, n // 100)
                trade = rng.choice(words.TRADE_NAMES)
                industry, code = rng.choice(words.INDUSTRY_WORDS)
                city = rng.choice(words.CITIES)
                name = f"{city}{trade}{industry}{rng.choice(words.COMPANY_SUFFIXES)}"
                office = rng.choice(self.offices)
                self.enterprise_office[k] = office
                revenue = Decimal(int(rng.lognormvariate(7, 1.4) if not large else rng.lognormvariate(11, 0.8)))
                created = self.moment_in_past(1500, 1.0)
                if links and rng.random() < 0.75:
                    link_id, chain_id = rng.choice(links)
                    self.enterprise_chain[k] = chain_id
                    placement_rows.append((pk, link_id, rng.choice(words.POSTING_SUBJECTS)[:200]))
                yield (
                    pk,
                    uscc_for(pk % 10**8, salt=pk // 10**8),
                    name,
                    f"{trade}{industry}"[:50],
                    "above" if large or rng.random() < 0.12 else "below",
                    code,
                    large or rng.random() < 0.03,
                    large and rng.random() < 0.3,
                    office,
                    f"{rng.choice(words.STREETS)}{rng.randrange(1, 3000)}号",
                    self.person(),
                    self.mobile(),
                    revenue,
                    date(rng.randrange(1995, 2026), rng.randrange(1, 13), rng.randrange(1, 29)),
                    created,
                    created,
                )

        for lo, hi in self._chunks(n):
            self._write("enterprises", table, rows(lo, hi))
        self.log(f"  enterprises: {n}")

        if links:
            from chains.models import Placement

            start = reserve_ids(Placement, len(placement_rows))
            placement = Table(Placement, ["id", "enterprise", "link", "main_product"])
            self._write(
                "placements",
                placement,
                ((start + i, e, link, product) for i, (e, link, product) in enumerate(placement_rows)),
            )
            self.log(f"  placements: {len(placement_rows)}")
        else:
            self.result.skipped.append("placements (no chains app)")

    # ---- party organizations and members -------------------------------------------------------------------------
    def organizations(self) -> None:
        if _model("organizations.PartyOrganization") is None:
            self.result.skipped.append("organizations")
            return
        if not self.enterprise_ids:
            return
        from organizations.models import PartyMember, PartyOrganization

        rng = self.rng
        n = len(self.enterprise_ids)
        # Large firms have their own branch; small ones share a joint branch of about ten firms (联合党支部).
        n_large = max(1, n // 100)
        n_joint = max(1, -(-(n - n_large) // 10))
        n_orgs = n_large + n_joint
        first = reserve_ids(PartyOrganization, n_orgs)
        org_table = Table(
            PartyOrganization,
            ["id", "name", "org_type", "formation", "chain", "management_office", "secretary_name", "founded_on"],
        )
        covered: list[tuple[int, int]] = []  # (org id, enterprise id)

        def org_rows() -> Iterator[tuple[Any, ...]]:
            for j in range(n_orgs):
                pk = first + j
                if j < n_large:
                    members_of = [j]
                    name = f"第{pk}号企业党委（{rng.choice(words.CITIES)}{rng.choice(words.TRADE_NAMES)}）"
                    org_type, formation = "committee", "single"
                else:
                    lo = n_large + (j - n_large) * 10
                    members_of = list(range(lo, min(n, lo + 10))) or [n - 1]
                    name = f"{rng.choice(words.CITIES)}第{pk}联合党支部"
                    org_type, formation = "joint_branch", "regional_joint"
                for k in members_of:
                    covered.append((pk, self.enterprise_ids[k]))
                head = members_of[0]
                yield (
                    pk,
                    name,
                    org_type,
                    formation,
                    self.enterprise_chain[head],
                    self.enterprise_office[head],
                    self.person(),
                    date(rng.randrange(2000, 2026), rng.randrange(1, 13), rng.randrange(1, 29)),
                )

        self._write("party organizations", org_table, org_rows())
        through = PartyOrganization.enterprises.through
        start = reserve_ids(through, len(covered))
        self._write(
            "organization coverage",
            Table(through, ["id", "partyorganization", "enterprise"]),
            ((start + i, org, ent) for i, (org, ent) in enumerate(covered)),
        )
        # Members: about one for every two enterprises, more in large firms.
        n_members = max(1, n // 2)
        member_first = reserve_ids(PartyMember, n_members)
        member_table = Table(
            PartyMember, ["id", "name", "organization", "enterprise", "post", "joined_on", "id_number"]
        )

        def member_rows(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
            for i in range(lo, hi):
                pk = member_first + i
                org_pk, ent_pk = covered[
                    self.skewed_index(len(covered)) if rng.random() < 0.5 else rng.randrange(len(covered))
                ]
                id_number, birth = resident_id_for(10**7 + pk)
                yield (
                    pk,
                    self.person(),
                    org_pk,
                    ent_pk,
                    rng.choice(words.POSTS),
                    birth.replace(year=min(2025, birth.year + 20 + rng.randrange(0, 15)), day=1),
                    id_number,
                )

        for lo, hi in self._chunks(n_members):
            self._write("party members", member_table, member_rows(lo, hi))
        self.log(f"  party organizations: {n_orgs}, members: {n_members}")

    # ---- service requests and their timelines --------------------------------------------------------------------
    def service_requests(self) -> None:
        if _model("service_requests.ServiceRequest") is None or not self.counts.needs:
            if self.counts.needs:
                self.result.skipped.append("service requests")
            return
        if not self.enterprise_ids:
            from enterprises.models import Enterprise

            loaded = list(Enterprise.objects.order_by("pk").values_list("pk", "management_office_id"))
            self.enterprise_ids = [pk for pk, _office in loaded]
            self.enterprise_office = [office for _pk, office in loaded]
            self.enterprise_chain = [None] * len(self.enterprise_ids)
            if not self.enterprise_ids:
                self.result.skipped.append("service requests (no enterprises)")
                return
        from service_requests.models import ServiceRequest, TimelineEvent

        rng = self.rng
        n = self.counts.needs
        first = reserve_ids(ServiceRequest, n)
        columns = [
            "id",
            "kind",
            "enterprise",
            "chain",
            "office",
            "instructor",
            "channel",
            "topic",
            "service",
            "title",
            "description",
            "contact_name",
            "contact_phone",
            "state",
            "lead_unit",
            "submitted_at",
            "accepted_at",
            "dispatched_at",
            "signed_at",
            "resolved_at",
            "rated_at",
            "verified_at",
            "closed_at",
            "accept_due_at",
            "sign_due_at",
            "due_at",
            "time_limit_workdays",
            "signed_on_time",
            "resolved_on_time",
            "resolution",
            "rating",
            "created_at",
            "updated_at",
        ]
        table = Table(ServiceRequest, columns)
        event_table = Table(TimelineEvent, ["id", "request", "action", "from_state", "to_state", "note", "created_at"])
        topics = list(words.NEED_SUBJECTS)
        channels = ["online"] * 6 + ["visit"] * 2 + ["window", "hotline", "roundtable"]
        events: list[tuple[Any, ...]] = []
        n_ent = len(self.enterprise_ids)

        def one(pk: int) -> tuple[Any, ...]:
            k = self.skewed_index(n_ent)
            enterprise = self.enterprise_ids[k]
            is_matter = bool(self.services) and rng.random() < 0.15
            submitted = self.moment_in_past(3 * 365)
            age_days = (self.now - submitted).days
            path = _MATTER_PATH if is_matter else _NEED_PATH
            if age_days > 60:
                steps = len(path) if rng.random() < 0.9 else rng.randrange(1, len(path))
            else:
                steps = rng.randrange(1, len(path) + 1)
            limit = rng.choice((5, 10, 10, 15)) if not is_matter else 5
            due = submitted + timedelta(days=limit * 7 // 5)
            when = submitted
            stamps: dict[str, datetime] = {}
            for action, source, target, hours in path[:steps]:
                if hours:
                    when = min(self.now, when + timedelta(hours=hours * (0.3 + rng.random() * 1.4)))
                stamps[target] = when
                events.append((action, source, target, when))
            state = path[steps - 1][2]
            resolved = stamps.get("resolved") or stamps.get("done")
            topic = rng.choice(topics)
            service, lead = (None, None)
            if is_matter:
                service, lead = rng.choice(self.services)
            elif "dispatched" in stamps:
                lead = rng.choice(self.handling_units)
            rating = rng.choices((5, 4, 3, 2), (60, 25, 10, 5))[0] if "rated" in stamps else None
            return (
                pk,
                "matter" if is_matter else "need",
                enterprise,
                self.enterprise_chain[k],
                self.enterprise_office[k],
                rng.choice(self.instructors),
                "online" if is_matter else rng.choice(channels),
                "other" if is_matter else topic,
                service,
                rng.choice(words.NEED_SUBJECTS[topic]),
                rng.choice(words.NEED_DETAILS),
                self.person(),
                self.mobile(),
                state,
                lead,
                submitted,
                stamps.get("accepted"),
                stamps.get("dispatched"),
                stamps.get("signed"),
                resolved,
                stamps.get("rated"),
                stamps.get("verified"),
                stamps.get("closed"),
                submitted + timedelta(days=1),
                stamps["dispatched"] + timedelta(days=1) if "dispatched" in stamps else None,
                due,
                limit,
                (stamps["signed"] - stamps["dispatched"] <= timedelta(days=1)) if "signed" in stamps else None,
                (resolved <= due) if resolved else None,
                "已协调相关部门办理完毕，企业诉求得到解决。" if resolved else "",
                rating,
                submitted,
                when,
            )

        for lo, hi in self._chunks(n):
            events.clear()
            request_ids: list[int] = []

            def rows(lo: int = lo, hi: int = hi, request_ids: list[int] = request_ids) -> Iterator[tuple[Any, ...]]:
                for i in range(lo, hi):
                    before = len(events)
                    row = one(first + i)
                    request_ids.extend([first + i] * (len(events) - before))
                    yield row

            self._write("service requests", table, rows())
            event_first = reserve_ids(TimelineEvent, len(events))
            self._write(
                "timeline events",
                event_table,
                (
                    (event_first + j, request_ids[j], action, source, target, "", when)
                    for j, (action, source, target, when) in enumerate(events)
                ),
            )
        self.log(f"  service requests: {n}, timeline events: {self.result.rows.get('timeline events', 0)}")

    # ---- talents -------------------------------------------------------------------------------------------------
    def talents(self) -> None:
        if _model("talent.Talent") is None or not self.counts.talents:
            if self.counts.talents:
                self.result.skipped.append("talents")
            return
        from talent.models import Talent

        rng = self.rng
        n = self.counts.talents
        first = reserve_ids(Talent, n)
        existing = set(Talent.objects.values_list("id_number", flat=True)[:100_000]) if first < 100_000 else set()
        table = Table(
            Talent,
            [
                "id",
                "name",
                "id_number",
                "birth_date",
                "education",
                "title",
                "category",
                "employer",
                "start_date",
                "social_insurance_months",
                "housing_status",
                "annual_salary_wan",
                "created_at",
                "updated_at",
            ],
        )
        n_ent = len(self.enterprise_ids)

        def rows(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
            for i in range(lo, hi):
                pk = first + i
                id_number, birth = resident_id_for(pk)
                if id_number in existing:
                    id_number, birth = resident_id_for(pk + 50_000_000)
                education = rng.choices(("college", "bachelor", "master", "doctor"), (25, 50, 20, 5))[0]
                category = rng.choices(("", "E", "D", "C", "B", "A"), (55, 25, 13, 5, 1.5, 0.5))[0]
                start = self.moment_in_past(8 * 365, 1.2).date()
                salary = Decimal(int(rng.lognormvariate(2.6, 0.5) * 100)) / 100
                created = self.moment_in_past(3 * 365)
                yield (
                    pk,
                    self.person(),
                    id_number,
                    birth,
                    education,
                    rng.choices(("none", "junior", "intermediate", "associate_senior", "senior"), (50, 25, 17, 6, 2))[
                        0
                    ],
                    category,
                    self.enterprise_ids[self.skewed_index(n_ent)] if n_ent and rng.random() < 0.9 else None,
                    start,
                    min(240, max(0, (self.now.date() - start).days // 30 - rng.randrange(0, 6))),
                    rng.choice(("none", "renting", "renting", "purchased")),
                    salary,
                    created,
                    created,
                )

        for lo, hi in self._chunks(n):
            self._write("talents", table, rows(lo, hi))
        self.log(f"  talents: {n}")

    # ---- postings ------------------------------------------------------------------------------------------------
    def postings(self) -> None:
        if _model("matching.Posting") is None or not self.counts.postings:
            if self.counts.postings:
                self.result.skipped.append("postings")
            return
        if not self.enterprise_ids:
            self.result.skipped.append("postings (no enterprises)")
            return
        from matching.models import Posting

        rng = self.rng
        n = self.counts.postings
        first = reserve_ids(Posting, n)
        table = Table(
            Posting,
            [
                "id",
                "kind",
                "title",
                "text",
                "category",
                "chain",
                "link",
                "industry_code",
                "region",
                "valid_from",
                "valid_until",
                "status",
                "enterprise",
                "institution",
                "contact_name",
                "contact_phone",
                "source",
                "created_at",
                "updated_at",
            ],
        )
        categories = ["technology", "production", "supply", "market", "data", "talent", "finance", "service"]
        n_ent = len(self.enterprise_ids)

        def rows(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
            for i in range(lo, hi):
                pk = first + i
                offer = bool(self.institutions) and rng.random() < 0.1
                kind = "tech_offer" if offer else rng.choices(("need", "capability", "tech_demand"), (45, 40, 15))[0]
                k = self.skewed_index(n_ent)
                link_id, chain_id = rng.choice(self.links) if self.links else (None, None)
                subject = rng.choice(words.POSTING_SUBJECTS)
                created = self.moment_in_past(2 * 365)
                valid_from = created.date()
                expired = (self.now.date() - valid_from).days > 365
                yield (
                    pk,
                    kind,
                    f"{'寻求' if kind in ('need', 'tech_demand') else '提供'}{subject}",
                    f"{subject}：{rng.choice(words.POSTING_DETAILS)}{rng.choice(words.POSTING_DETAILS)}",
                    rng.choice(categories),
                    chain_id,
                    link_id,
                    rng.choice(words.INDUSTRY_WORDS)[1],
                    rng.choice(("南昌", "九江", "赣州", "上饶", "宜春")),
                    valid_from,
                    valid_from + timedelta(days=365),
                    "closed" if expired else rng.choices(("open", "matched", "closed"), (80, 12, 8))[0],
                    None if offer else self.enterprise_ids[k],
                    rng.choice(self.institutions) if offer else None,
                    self.person(),
                    self.mobile(),
                    "owner",
                    created,
                    created,
                )

        for lo, hi in self._chunks(n):
            self._write("postings", table, rows(lo, hi))
        self.log(f"  postings: {n}")

    def coverage_counts(self) -> None:
        """The organizations, members and placements above bypass the services: their coverage figures
        (`chains.coverage`) are recomputed once from the rows."""
        from chains import coverage
        from chains.models import CoverageCount

        start = time.perf_counter()
        rows = coverage.rebuild()
        self.tables.add(CoverageCount._meta.db_table)
        self.log(f"  coverage figures rebuilt: {rows} rows in {time.perf_counter() - start:.1f} s")

    def service_totals(self) -> None:
        """The rows above bypass the services, so the cockpit's maintained totals are recomputed once from them."""
        from service_requests import rollup
        from service_requests.models import DailyTotal, ServedMonths

        start = time.perf_counter()
        rows = rollup.rebuild()
        self.tables.update({DailyTotal._meta.db_table, ServedMonths._meta.db_table})
        self.log(f"  service totals rebuilt: {sum(rows.values())} rows in {time.perf_counter() - start:.1f} s")

    # ---- all ----------------------------------------------------------------------------------------------------
    def run(self) -> Result:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            self.reference()
            self.enterprises()
            self.organizations()
            self.coverage_counts()
            self.service_requests()
            self.talents()
            self.postings()
            self.service_totals()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for db_table in sorted(self.tables):  # fresh statistics, or the planner misjudges the new rows
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(db_table)}")
        return self.result
