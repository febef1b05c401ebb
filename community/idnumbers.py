"""Make valid GB 11643 ID numbers (for demo and scale data; never for real people)."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric


def make_id_number(*, region: str, birth_date: dt.date, sequence: int, male: bool) -> str:
    """``region`` is a 6-digit area code; ``sequence`` picks the order code (0-499)."""
    order = (sequence % 500) * 2 + (1 if male else 0)
    body = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
