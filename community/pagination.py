"""Pagination classes (kept apart from api_base so DRF settings can import them early)."""

from rest_framework import pagination


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
