"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import (
    action_rounds,
    actions,
    agenda_calls,
    findtime,
    findtime_closing,
    help,
    meeting_reminders,
    meetings,
    minutes,
    minutes_agenda,
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
    agenda_calls,
    polls,
    poll_closing,
    findtime,
    findtime_closing,
    minutes,
    minutes_agenda,
    minutes_log,
    minutes_approval,
    actions,
    action_rounds,
    retention,
)
