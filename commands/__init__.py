"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import (
    action_rounds,
    actions,
    help,
    meeting_reminders,
    meetings,
    minutes,
    minutes_approval,
    minutes_log,
    poll_closing,
    polls,
    retention,
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
    minutes_log,
    minutes_approval,
    actions,
    action_rounds,
    retention,
)
