"""The engine: which policy versions apply in a period, records as evaluator input, the sweep's INSERT … SELECT,
and the sandbox's aggregates. Services and selectors call it; nothing here checks permissions.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q, Sum, Value
from django.utils import timezone

from enterprises.models import Enterprise
from talent.choices import EntitlementSource, EntitlementStatus, PolicyTarget, VersionStatus
from talent.models import Entitlement, Policy, PolicyVersion, Talent
from talent.rules import ParamTable, ParsedPolicy, compile_policy, explain, parse_policy
from talent.rules.python import Explanation
from talent.rules.schema import Leaf, effective_root
from talent.rules.sql import Compiled


def month_start(day: date) -> date:
    return day.replace(day=1)


def parse_period(text: str) -> date:
    """'2026-07' → date(2026, 7, 1); raises ValueError with a Chinese message otherwise."""
    try:
        year, month = (int(part) for part in str(text).split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"期间“{text}”应写成 YYYY-MM。") from None


def parse_version(version: PolicyVersion, *, target: str | None = None) -> ParsedPolicy:
    return parse_policy(target or version.policy.target, version.rule, version.amount)


@dataclass
class ActivePolicy:
    policy: Policy
    version: PolicyVersion
    parsed: ParsedPolicy


def active_policies(
    period: date, *, codes: Iterable[str] | None = None, target: str | None = None
) -> list[ActivePolicy]:
    """For each policy, the published version in force on the period's first day (latest start wins). One query."""
    day = month_start(period)
    qs = (
        PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("policy")
        .order_by("policy__code", "-effective_from", "-number")
    )
    if codes is not None:
        qs = qs.filter(policy__code__in=list(codes))
    if target is not None:
        qs = qs.filter(policy__target=target)
    chosen: dict[int, ActivePolicy] = {}
    for version in qs:
        if version.policy_id not in chosen:
            chosen[version.policy_id] = ActivePolicy(version.policy, version, parse_version(version))
    return list(chosen.values())


def talent_record(talent: Talent) -> dict[str, Any]:
    """A talent as the Python evaluator's input (stored dates; age and months derive as of the period)."""
    employer = talent.employer
    return {
        "education": talent.education,
        "title": talent.title,
        "category": talent.category,
        "housing_status": talent.housing_status,
        "social_insurance_months": talent.social_insurance_months,
        "annual_salary_wan": talent.annual_salary_wan,
        "start_date": talent.start_date,
        "birth_date": talent.birth_date,
        "employer.is_key": employer.is_key if employer else None,
        "employer.is_leading": employer.is_leading if employer else None,
        "employer.size_class": employer.size_class if employer else None,
    }


def enterprise_record(enterprise: Enterprise) -> dict[str, Any]:
    counts = Talent.objects.filter(employer=enterprise).aggregate(
        talent_count=Count("pk"), master_plus_count=Count("pk", filter=Q(education__in=["master", "doctor"]))
    )
    return {
        "size_class": enterprise.size_class,
        "is_key": enterprise.is_key,
        "is_leading": enterprise.is_leading,
        "revenue_wan": enterprise.revenue_wan,
        **counts,
    }


def explain_record(
    active: ActivePolicy, record: Mapping[str, Any], period: date, params: ParamTable, *, already_granted: bool = False
) -> Explanation:
    return explain(active.parsed, record, as_of=month_start(period), params=params, already_granted=already_granted)


def record_model(target: str) -> type[models.Model]:
    return Enterprise if target == PolicyTarget.ENTERPRISE else Talent


def record_fk(target: str) -> str:
    return "enterprise" if target == PolicyTarget.ENTERPRISE else "talent"


def compiled_queryset(parsed: ParsedPolicy, compiled: Compiled, base: models.QuerySet | None = None) -> models.QuerySet:
    qs = base if base is not None else record_model(parsed.target)._default_manager.all()
    if compiled.annotations:
        qs = qs.annotate(**compiled.annotations)
    return qs.order_by()


def eligible_queryset(
    parsed: ParsedPolicy, *, period: date, params: ParamTable, base: models.QuerySet | None = None
) -> models.QuerySet:
    compiled = compile_policy(parsed, params=params, as_of=month_start(period))
    return compiled_queryset(parsed, compiled, base).filter(compiled.eligible)


def reason_codes(parsed: ParsedPolicy) -> list[str]:
    codes: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Leaf):
            codes.append(node.code)
        else:
            for child in node.children:
                walk(child)

    walk(effective_root(parsed))
    return codes


def insert_entitlements(active: ActivePolicy, period: date, params: ParamTable) -> tuple[int, int]:
    """Evaluate one policy version over every record in the database and insert the entitlements it finds.

    Eligibility, amount and tier are computed by the database (the ORM-compiled query, parameters resolved to
    literals for the period) and written by one `INSERT … SELECT … ON CONFLICT DO NOTHING`: nothing comes back to
    Python per row. The unique constraint (record, policy, period) makes a re-run, or a run after a new version was
    published, write nothing; a one-off policy also skips records that had it in another period. On PostgreSQL the
    eligible count comes from the same statement (a CTE); SQLite cannot put an INSERT in a CTE and counts first.
    Returns (eligible, inserted).
    """
    period = month_start(period)
    parsed = active.parsed
    fk = record_fk(parsed.target)
    compiled = compile_policy(parsed, params=params, as_of=period)
    eligible_qs = compiled_queryset(parsed, compiled).filter(compiled.eligible)
    now = timezone.now()
    columns = {
        "created_at": Value(now, output_field=models.DateTimeField()),
        "updated_at": Value(now, output_field=models.DateTimeField()),
        "version": Value(1, output_field=models.IntegerField()),
        "policy_id": Value(active.policy.pk, output_field=models.BigIntegerField()),
        "policy_version_id": Value(active.version.pk, output_field=models.BigIntegerField()),
        f"{fk}_id": models.F("pk"),
        "period": Value(period, output_field=models.DateField()),
        "amount": compiled.amount,
        "tier": compiled.tier,
        "reason_codes": Value(reason_codes(parsed), output_field=models.JSONField()),
        "source": Value(EntitlementSource.SWEEP, output_field=models.CharField()),
        "status": Value(EntitlementStatus.PENDING, output_field=models.CharField()),
        "hold_reason": Value("", output_field=models.CharField()),
        "objection": Value("", output_field=models.CharField()),
    }
    skip: Any = None
    if parsed.amount.per == "once":
        # A one-off policy: never again for a record that had it in another period.
        skip = Exists(
            Entitlement.objects.filter(policy_id=active.policy.pk, **{fk: OuterRef("pk")}).exclude(period=period)
        )
    _hold_policy_version(active.version)
    return _insert_entitlement_rows(columns, eligible_qs, skip)


def _hold_policy_version(version: PolicyVersion) -> None:
    """Entitlement rows reference their policy and version without a per-row foreign-key check (see
    `Entitlement`). What that check did — keep the referenced rows from being deleted until the sweep commits — one
    `FOR KEY SHARE` lock per policy does on PostgreSQL. SQLite serialises writers, so it needs nothing."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    versions, policies = quote(PolicyVersion._meta.db_table), quote(Policy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {versions} v JOIN {policies} p ON p.id = v.policy_id WHERE v.id = %s FOR KEY SHARE",  # noqa: S608 - names are ours
            [version.pk],
        )


def _insert_entitlement_rows(columns: dict[str, Any], eligible: models.QuerySet, skip: Any) -> tuple[int, int]:
    aliases = {f"c_{name}": expression for name, expression in columns.items()}
    if skip is not None:
        aliases["c_skip"] = skip
    query = eligible.annotate(**aliases).values(*aliases)
    sql, sql_params = query.query.get_compiler(using=query.db).as_sql()
    quote = connection.ops.quote_name
    target = f"{quote(Entitlement._meta.db_table)} ({', '.join(quote(name) for name in columns)})"
    source = ", ".join(f"s.{quote(f'c_{name}')}" for name in columns)
    where = "NOT s.c_skip" if skip is not None else "1 = 1"  # SQLite needs a WHERE before ON CONFLICT
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH s AS ({sql}), ins AS (INSERT INTO {target} SELECT {source} FROM s WHERE {where} "  # noqa: S608 - names are ours, values are parameters
                "ON CONFLICT DO NOTHING RETURNING 1) SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM ins)",
                sql_params,
            )
            eligible_count, inserted = cursor.fetchone()
            return int(eligible_count), int(inserted)
        eligible_count = eligible.count()
        cursor.execute(
            f"INSERT INTO {target} SELECT {source} FROM ({sql}) AS s WHERE {where} ON CONFLICT DO NOTHING",  # noqa: S608 - names are ours, values are parameters
            sql_params,
        )
        return eligible_count, max(cursor.rowcount, 0)


@dataclass
class SandboxCell:
    period: date
    policy: Policy
    base_count: int
    reform_count: int
    gained: int
    lost: int
    base_amount: Decimal
    reform_amount: Decimal

    @property
    def delta(self) -> Decimal:
        return self.reform_amount - self.base_amount


def sandbox_cell(active: ActivePolicy, period: date, base: ParamTable, reform: ParamTable) -> SandboxCell:
    """Baseline and reform evaluated together in one aggregate query; nothing is written."""
    period = month_start(period)
    parsed = active.parsed
    b = compile_policy(parsed, params=base, as_of=period)
    r = compile_policy(parsed, params=reform, as_of=period)
    qs = record_model(parsed.target)._default_manager.order_by().annotate(**{**b.annotations, **r.annotations})
    if parsed.amount.per == "once":
        fk = record_fk(parsed.target)
        qs = qs.exclude(
            Exists(
                Entitlement.objects.filter(policy_id=active.policy.pk, **{fk: OuterRef("pk")}).exclude(period=period)
            )
        )
    flag = models.IntegerField()
    qs = qs.annotate(
        sb_flag=models.Case(models.When(b.eligible, then=Value(1)), default=Value(0), output_field=flag),
        sr_flag=models.Case(models.When(r.eligible, then=Value(1)), default=Value(0), output_field=flag),
    )
    money = models.DecimalField(max_digits=18, decimal_places=2)
    figures = qs.aggregate(
        base_count=Count("pk", filter=Q(sb_flag=1)),
        reform_count=Count("pk", filter=Q(sr_flag=1)),
        gained=Count("pk", filter=Q(sr_flag=1, sb_flag=0)),
        lost=Count("pk", filter=Q(sr_flag=0, sb_flag=1)),
        base_amount=Sum(
            models.Case(models.When(Q(sb_flag=1), then=b.amount), default=Value(Decimal("0")), output_field=money)
        ),
        reform_amount=Sum(
            models.Case(models.When(Q(sr_flag=1), then=r.amount), default=Value(Decimal("0")), output_field=money)
        ),
    )
    return SandboxCell(
        period=period,
        policy=active.policy,
        base_count=figures["base_count"],
        reform_count=figures["reform_count"],
        gained=figures["gained"],
        lost=figures["lost"],
        base_amount=Decimal(figures["base_amount"] or 0).quantize(Decimal("0.01")),
        reform_amount=Decimal(figures["reform_amount"] or 0).quantize(Decimal("0.01")),
    )
