import pytest

from talent import library


@pytest.fixture
def policies(db, admin_user):
    """The shipped policies and parameters, published."""
    return {v.policy.code: v for v in library.install(admin_user)}
