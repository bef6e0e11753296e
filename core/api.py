"""What every app's API shares: one bounded page-number pagination."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page numbers, 50 per page by default; bounded so a huge page cannot overflow the database's OFFSET (422, not 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=100)

    def __init__(self, page_size: int = 50, **kwargs: object) -> None:
        super().__init__(page_size=page_size, **kwargs)  # type: ignore[arg-type]
