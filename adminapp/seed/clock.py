"""The time anchor: every seeded date is counted back from it (--now, or this minute, UTC)."""
import argparse
import datetime


def utc_minute():
    """The current UTC time, naive, truncated to the minute: the default anchor."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(second=0, microsecond=0)


def anchor_time(now):
    """Return the anchor of every date, naive UTC: `now` (datetime or ISO string) or this minute."""
    if now is None:
        return utc_minute()
    if isinstance(now, str):
        return parse_now(now)
    return now.astimezone(datetime.timezone.utc).replace(tzinfo=None) if now.tzinfo else now


def parse_now(text):
    """Return the naive UTC datetime for an ISO 8601 string; aware times are converted to UTC.

    Raises argparse.ArgumentTypeError on anything else (it is the --now option's type).
    """
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r} "
                                         "(use e.g. 2024-05-01T12:00:00)")
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value
