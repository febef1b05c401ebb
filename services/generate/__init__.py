"""Scale data of the services app for ``generate_county`` (see the docstring of community/demo/generate.py).

For the generated county: the service catalogue when there is none yet (it is county-wide and shared),
a year of residents' requests (``--extra requests=N``; by default 5 for every 6 households, i.e. 100,000
for the 120,000-household county) spread over the communities by their households, with every status,
the status history of each (its transitions, at realistic times), internal and public notes, information
added by residents, overdue flags, escalations, follow-up calls and ratings; the departments' 六进社区
commitments of last year and this year with the activities that fulfil them and last year's evaluations;
the resident units' shared facilities with a year of bookings; community events and residents' meetings.

A request's life is drawn as a whole (accept, assign, start, resolve, then a rating or a follow-up call,
perhaps a reopening) and cut at the present, so recent requests are still open and old ones finished, the
way a real queue looks.  Everything is written with ``ctx.copy_rows`` / ``ctx.writer`` (COPY on
PostgreSQL), the requests, their events and follow-ups inside ``ctx.bulk_load``; ``clear(county)``
removes it again with a few set-based DELETEs.
"""

from .data import GENERATOR_USERNAME
from .hook import clear, generate

__all__ = ["GENERATOR_USERNAME", "clear", "generate"]
