"""Page-number pagination for API lists: ``?page=2&pageSize=50`` (at most 100 a page).

``page`` and ``pageSize`` that are not positive whole numbers are a 400 (DRF would quietly read
an empty or odd value as page one, or ignore it); a page past the end is a 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from generator.api.params import whole_number


class ProjectPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = whole_number(raw, name=self.page_size_query_param, minimum=1)
        return min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        return whole_number(raw, name=self.page_query_param, minimum=1)
