"""The declared transition tables of needs (诉求) and matters (办事事项).

Each row: action → the states it may start from, the state it leads to (None: the state does not change), the
parties who may perform it, the named guards checked before it, and the inputs it requires. The one module that
enforces the table is `service_requests.services.workflow`; docs/service_requests.md renders it for readers.

Parties are relations between a user and a record, computed by `parties_of(user, request)`:
- enterprise: an enterprise user of the record's enterprise
- dispatcher: the party-work department (admin), the enterprise's instructor, or a handler of the 惠企专窗 window
- handler: a handler of the lead unit (for a matter: of the service's responsible unit, or of the window)
- co_handler: a handler of a co-unit
- team: one of the four named roles (interpreter, runner, reporter, supervisor) or the matter's proxy agent/clerk
- supervisor: a supervisor-role user or an admin
- instructor: the record's instructor (may record the enterprise's feedback after a follow-up call, 回访)
"""

from dataclasses import dataclass, field

from service_requests.choices import Kind, State

S = State


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str | None
    parties: frozenset[str]
    guards: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    #: other states the action may lead to, chosen by the service from the input (feedback: reopen or escalate)
    alternatives: tuple[str, ...] = field(default=())


def _t(
    action: str,
    label: str,
    sources: set[str],
    target: str | None,
    parties: set[str],
    guards: tuple[str, ...] = (),
    inputs: tuple[str, ...] = (),
    alternatives: tuple[str, ...] = (),
) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(parties), guards, inputs, alternatives)


STAFF_ON_NEED = {"dispatcher", "handler", "co_handler", "team", "supervisor"}
OPEN_NEED_STATES = {
    S.SUBMITTED,
    S.ACCEPTED,
    S.DISPATCHED,
    S.SIGNED,
    S.IN_PROGRESS,
    S.AWAITING_INFO,
    S.RESOLVED,
    S.ESCALATED,
    S.RATED,
    S.VERIFIED,
}
#: States in which the handling clock runs (a paused state, AWAITING_INFO, stops it).
CLOCK_RUNNING_STATES = {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.ESCALATED}
PAUSED_STATES = {S.AWAITING_INFO}
#: Needs on the problem list: raised and not yet resolved.
UNRESOLVED_NEED_STATES = {
    S.SUBMITTED,
    S.ACCEPTED,
    S.DISPATCHED,
    S.SIGNED,
    S.IN_PROGRESS,
    S.AWAITING_INFO,
    S.ESCALATED,
}
#: Needs counted as resolved (办结) for the results list.
RESOLVED_NEED_STATES = {S.RESOLVED, S.RATED, S.VERIFIED, S.CLOSED}
#: Matters counted as handled (办结).
DONE_MATTER_STATES = {S.DONE, S.RATED}
OPEN_MATTER_STATES = {S.ORDERED, S.ACCEPTED, S.HANDLED}
#: Open work of both kinds (every workbench tab counts within these, save the enterprise's and the supervisor's own
#: "my tasks"); sorted, so the partial index's condition and the queries' ``state IN (…)`` read the same.
OPEN_STATES: tuple[str, ...] = tuple(sorted(str(s) for s in OPEN_NEED_STATES | OPEN_MATTER_STATES))

NEED_TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", "受理", {S.SUBMITTED}, S.ACCEPTED, {"dispatcher"}),
    _t("return", "退回", {S.SUBMITTED}, S.RETURNED, {"dispatcher"}, inputs=("reason",)),
    _t(
        "merge",
        "并单",
        {S.SUBMITTED, S.ACCEPTED},
        S.MERGED,
        {"dispatcher"},
        ("target_is_open_same_enterprise",),
        ("target",),
    ),
    _t("resubmit", "重新提交", {S.RETURNED}, S.SUBMITTED, {"enterprise"}),
    _t(
        "dispatch",
        "派单",
        {S.ACCEPTED, S.ESCALATED},
        S.DISPATCHED,
        {"dispatcher", "supervisor"},
        inputs=("lead_unit",),
    ),
    _t("send_back", "退回重派", {S.DISPATCHED}, S.ACCEPTED, {"handler"}, inputs=("reason",)),
    _t("sign", "签收", {S.DISPATCHED}, S.SIGNED, {"handler"}),
    _t("start", "开始办理", {S.SIGNED}, S.IN_PROGRESS, {"handler", "team"}),
    _t(
        "note",
        "办理备注",
        {S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.AWAITING_INFO, S.ESCALATED},
        None,
        STAFF_ON_NEED | {"instructor"},
        inputs=("note",),
    ),
    _t(
        "comment",
        "企业留言",
        {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.ESCALATED},
        None,
        {"enterprise"},
        inputs=("note",),
    ),
    _t(
        "transfer",
        "转办",
        {S.SIGNED, S.IN_PROGRESS},
        S.DISPATCHED,
        {"handler", "dispatcher"},
        ("lead_unit_changes",),
        ("lead_unit", "reason"),
    ),
    _t(
        "request_extension",
        "申请延期",
        {S.SIGNED, S.IN_PROGRESS},
        None,
        {"handler"},
        ("before_deadline", "no_pending_extension"),
        ("workdays", "reason"),
    ),
    _t(
        "approve_extension",
        "批准延期",
        {S.SIGNED, S.IN_PROGRESS, S.AWAITING_INFO},
        None,
        {"supervisor"},
        ("extension_pending",),
    ),
    _t(
        "reject_extension",
        "驳回延期",
        {S.SIGNED, S.IN_PROGRESS, S.AWAITING_INFO},
        None,
        {"supervisor"},
        ("extension_pending",),
        ("reason",),
    ),
    _t("ask_info", "请企业补充", {S.SIGNED, S.IN_PROGRESS}, S.AWAITING_INFO, {"handler"}, inputs=("note",)),
    _t("reply", "企业答复", {S.AWAITING_INFO}, S.IN_PROGRESS, {"enterprise"}, inputs=("note",)),
    _t("resolve", "办结", {S.SIGNED, S.IN_PROGRESS}, S.RESOLVED, {"handler"}, inputs=("resolution",)),
    _t(
        "feedback",
        "评价",
        {S.RESOLVED},
        S.RATED,
        {"enterprise", "instructor"},
        inputs=("rating",),
        alternatives=(S.IN_PROGRESS, S.ESCALATED),
    ),
    _t("verify", "核验", {S.RATED, S.ESCALATED}, S.VERIFIED, {"supervisor"}),
    _t("close", "关闭", {S.VERIFIED}, S.CLOSED, {"supervisor"}),
)

MATTER_TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", "受理", {S.ORDERED}, S.ACCEPTED, {"handler"}),
    _t("cancel", "取消", {S.ORDERED}, S.CANCELLED, {"enterprise", "handler"}),
    _t("handle", "办理", {S.ACCEPTED}, S.HANDLED, {"handler", "team"}),
    _t(
        "note",
        "办理备注",
        {S.ORDERED, S.ACCEPTED, S.HANDLED},
        None,
        {"handler", "team", "supervisor"},
        inputs=("note",),
    ),
    _t("complete", "办结", {S.HANDLED}, S.DONE, {"handler"}, inputs=("resolution",)),
    _t("rate", "评价", {S.DONE}, S.RATED, {"enterprise", "instructor"}, inputs=("rating",)),
)

TABLES: dict[str, dict[str, Transition]] = {
    Kind.NEED: {t.action: t for t in NEED_TRANSITIONS},
    Kind.MATTER: {t.action: t for t in MATTER_TRANSITIONS},
}
NEED_STATES = sorted({s for t in NEED_TRANSITIONS for s in t.sources} | {S.RETURNED, S.MERGED, S.CLOSED})
MATTER_STATES = sorted({s for t in MATTER_TRANSITIONS for s in t.sources} | {S.DONE, S.RATED, S.CANCELLED})


def transition_for(kind: str, action: str) -> Transition | None:
    return TABLES.get(kind, {}).get(action)


def actions_from(kind: str, state: str) -> list[Transition]:
    return [t for t in TABLES.get(kind, {}).values() if state in t.sources]
