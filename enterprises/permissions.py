"""Permission rules of the foundation pages. Every view names one: anonymous users go to the login page, a role
without the feature gets 403, and an object the user may not see is a 404 (through the selectors' *_for functions)."""

from accounts.choices import STAFF_ROLES, Role
from core.permissions import has_role, roles_required

__all__ = ["EDITORS", "READERS", "STAFF", "editors_only", "has_role", "readers_only", "roles_required", "staff_only"]

#: Roles that work with the register, chains and the organization chain (reading, scoped by the selectors).
READERS = frozenset(STAFF_ROLES | {Role.ENTERPRISE})
#: Staff roles only: the chain pages and the organization-chain lists (enterprise users reach their own
#: organizations from their enterprise page; the detail pages are scoped by the selectors).
STAFF = frozenset(STAFF_ROLES)
#: Only the party-work department edits the register and the organization chain.
EDITORS = frozenset({Role.ADMIN})


readers_only = roles_required(READERS)
staff_only = roles_required(STAFF)
editors_only = roles_required(EDITORS)
