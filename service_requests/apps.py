from django.apps import AppConfig

from accounts.choices import Role

_STAFF = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.INSTRUCTOR, Role.HANDLER})


class ServiceRequestsConfig(AppConfig):
    name = "service_requests"
    verbose_name = "服务链"
    nav_items = [
        (
            "帮办超市",
            "service_requests:catalog",
            frozenset({Role.ENTERPRISE, Role.ADMIN, Role.HANDLER, Role.INSTRUCTOR}),
        ),
        ("我的诉求", "service_requests:workbench", frozenset({Role.ENTERPRISE})),
        ("服务工作台", "service_requests:workbench", _STAFF),
        ("问题/实效清单", "service_requests:problems", _STAFF),
        ("服务指标", "service_requests:metrics", _STAFF),
        ("服务记录", "service_requests:deliveries", _STAFF),
        ("督办", "service_requests:notices", _STAFF),
        ("消息", "service_requests:inbox", frozenset()),
    ]

    def ready(self) -> None:
        from enterprises.signals import office_changed

        office_changed.connect(_move_office_totals, dispatch_uid="service_requests.rollup.office")


def _move_office_totals(
    sender: object, *, enterprise: object, old_office: int | None, new_office: int | None, **_: object
) -> None:
    from service_requests import rollup

    rollup.enterprise_office_changed(enterprise.pk, old_office, new_office)  # type: ignore[attr-defined]
