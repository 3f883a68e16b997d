"""The ward's clock: one definition of its time zone and of "which day is it at the ward".

Japan keeps no daylight saving time, so a fixed +09:00 offset and `Asia/Tokyo` agree on every date;
the fixed offset is used because it needs no tz database (the Lambda image has one, but a minimal
test image may not). Everything that shows a time to a resident or staff, stamps a file name, cuts a
reception number's day or resolves "today's edition" goes through here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

WARD_OFFSET = timedelta(hours=9)
WARD_TZ = timezone(WARD_OFFSET, "JST")
WARD_TZ_NAME = "Asia/Tokyo"  # for services that want an IANA name (EventBridge Scheduler)


def ward_time(moment: datetime) -> datetime:
    """`moment` as the ward's wall clock shows it (an aware datetime)."""
    if moment.tzinfo is None:
        # astimezone would read a naive time as the machine's own zone: right on a laptop, wrong on Lambda.
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(WARD_TZ)


def ward_date(moment: datetime) -> date:
    """The ward's calendar day at `moment` (an aware datetime)."""
    return ward_time(moment).date()


def ward_day_start(day: date) -> datetime:
    """The first instant of the ward's `day`, in UTC."""
    return datetime.combine(day, time.min, UTC) - WARD_OFFSET


def stored_time(moment: datetime) -> str:
    """How an instant is stored (ISO-8601 UTC, microseconds): stored strings then compare as times."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def as_ward_time(moment: datetime) -> datetime:
    """A naive datetime read as the ward's local time; an aware one is kept as it is."""
    return moment.replace(tzinfo=WARD_TZ) if moment.tzinfo is None else moment
