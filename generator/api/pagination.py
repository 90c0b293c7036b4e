"""Page-number pagination for API lists: ``?page=2&pageSize=50`` (at most 100 a page).

A ``pageSize`` that is not a positive whole number is a 400 (DRF would silently ignore it).
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class ProjectPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["Must be a whole number ≥ 1."]})
        return min(int(raw), self.max_page_size)
