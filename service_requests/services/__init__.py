"""Writes of the service chain. Import from the submodules; the names below are the public surface.

- intake: need_create, need_create_from_visit, matter_order, matters_import_handled
- workflow: request_act (every state change), parties_of, allowed_actions, WorkflowError
- supervision: run_ladder, notice_answer, notice_close
- catalog: validate_field_schema, validate_form_data, category_create, service_create, service_update
- deliveries: delivery_record
- snapshots: snapshot_freeze
- notify: notify, notification_mark_read
"""

from service_requests.services.deliveries import delivery_record
from service_requests.services.intake import matter_order, matters_import_handled, need_create, need_create_from_visit
from service_requests.services.workflow import WorkflowError, allowed_actions, parties_of, request_act

__all__ = [
    "WorkflowError",
    "allowed_actions",
    "delivery_record",
    "matter_order",
    "matters_import_handled",
    "need_create",
    "need_create_from_visit",
    "parties_of",
    "request_act",
]
