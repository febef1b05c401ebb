"""An admin paginator that does not count a county's 300,000 rows on every page.

The count is one call of ``platform_count(sql, threshold)`` (migration 0007): the
planner's estimate when it is above the threshold, the exact count below it.  One query either
way, so a changelist's query count is the same at 10 rows and at 300,000.  A count from ``EXACT_BELOW`` rows
up may be the estimate, so the list says "about" before it (``estimated``; ``templates/admin/pagination.html``
and ``search_form.html``): a county's 304,766 residents show as about 277,068 when the statistics are fresh.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_BELOW = 20_000


class EstimatedCountPaginator(Paginator):
    #: whether ``count`` may be the planner's estimate rather than the rows counted (read after ``count``)
    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        connection = connections[queryset.db]
        try:
            with connection.cursor() as cursor:
                statement = cursor.mogrify(sql, params)
                statement = statement.decode() if isinstance(statement, bytes) else statement
                cursor.execute("SELECT platform_count(%s, %s)", [statement, EXACT_BELOW])
                found = int(cursor.fetchone()[0])
        except DatabaseError:
            if connection.in_atomic_block:
                raise
            return super().count
        self.estimated = found >= EXACT_BELOW
        return found
