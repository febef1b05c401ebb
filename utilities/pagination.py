"""Pagination classes (kept apart from api_base so DRF settings can import them early)."""

from django.core.exceptions import ValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class PagePagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(pagination.CursorPagination):
    """For the large lists: a deep page costs what the first does."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        """A tampered cursor whose position is no value of the ordering field is a 404, not a 500."""

        try:
            return super().paginate_queryset(queryset, request, view)
        except (TypeError, ValueError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None
