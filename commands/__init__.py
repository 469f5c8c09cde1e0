"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import (
    action_rounds,
    actions,
    agenda_calls,
    decisions,
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
    votes,
)

MODULES = (
    help,
    settings,
    meetings,
    meeting_reminders,
    agenda_calls,
    polls,
    poll_closing,
    minutes,
    minutes_agenda,
    minutes_log,
    decisions,
    votes,
    minutes_approval,
    actions,
    action_rounds,
    retention,
)
