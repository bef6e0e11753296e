"""Signals of the enterprise register, for apps that keep figures per management office."""

from django.dispatch import Signal

#: Sent inside the update's transaction when an enterprise moves to another management office.
#: Arguments: enterprise, old_office (id or None), new_office (id or None).
office_changed = Signal()
