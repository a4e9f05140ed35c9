"""Pagination for list routes: `limit`/`offset` query parameters and the `Page[T]` envelope.

    @router.get("/things", response_model=Page[ThingOut])
    def things(page: PageDep, ...) -> Page[ThingOut]:
        rows, total = service.page_things(session, ..., limit=page.limit, offset=page.offset)
        return Page.of(rows, total, page)

A `limit` above `MAX_LIMIT` or below 1, or an `offset` below 0 or above
`MAX_OFFSET` (beyond a 64-bit SQL integer), is a 422
naming the parameter: a client never gets a silently shortened page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from fixright.http.params import MAX_SQL_INT

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# OFFSET + LIMIT must still fit a 64-bit SQL integer.
MAX_OFFSET = MAX_SQL_INT - MAX_LIMIT

T = TypeVar("T")


@dataclass(frozen=True)
class PageParams:
    """The window a client asked for."""

    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT}).")]
    = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list: `items`, the `total` matching (all pages), and the window."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Sequence[T], total: int, params: PageParams) -> Page[T]:
        """A page from rows the query already limited, and the count without the window."""
        return cls(items=list(items), total=total, limit=params.limit, offset=params.offset)

    @classmethod
    def slice(cls, rows: Sequence[T], params: PageParams) -> Page[T]:
        """A page cut from a list computed in memory (a fix plan, expiring coverage lines),
        which no SQL query can cut; a list read from a table is cut in SQL (`of`)."""
        window = rows[params.offset : params.offset + params.limit]
        return cls(items=list(window), total=len(rows), limit=params.limit, offset=params.offset)
