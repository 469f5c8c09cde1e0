"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import (
    action_rounds,
    actions,
    help,
    meeting_reminders,
    meetings,
    minutes,
    poll_closing,
    polls,
    settings,
)

MODULES = (
    help,
    settings,
    meetings,
    meeting_reminders,
    polls,
    poll_closing,
    minutes,
    actions,
    action_rounds,
)
