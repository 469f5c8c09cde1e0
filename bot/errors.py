"""Unexpected errors, logged without what members wrote: an exception's message may quote it."""

from __future__ import annotations

import logging
import secrets
import sys
import traceback
from pathlib import PurePath

# Whole tracebacks, messages included: shown only at -vv (see bot/cli.py).
TRACES = logging.getLogger("wgbot.traces")


def where(exc: BaseException | None) -> str:
    """An exception's type and the place it was raised, e.g. "ValueError at bot/when/phrases.py:412"."""
    if exc is None:
        return "no exception"
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    path = PurePath(last.filename)
    return f"{type(exc).__name__} at {'/'.join(path.parts[-2:])}:{last.lineno} in {last.name}"


def log_internal_error(logger: logging.Logger, what: str, *args: object) -> str:
    """Log the exception being handled: a reference, `what` (a format with `args`), its type and
    place at ERROR, its traceback at DEBUG in wgbot.traces. The reference, for members to quote."""
    ref = secrets.token_hex(2)
    logger.error(f"internal error (ref %s) {what}: %s", ref, *args, where(sys.exc_info()[1]))
    TRACES.debug("traceback of internal error %s", ref, exc_info=True)
    return ref
