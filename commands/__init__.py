"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import (
    action_rounds,
    actions,
    agenda_calls,
    attendance,
    help,
    meeting_reminders,
    meetings,
    minutes,
    minutes_agenda,
    minutes_log,
    organisations,
    poll_closing,
    polls,
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
    minutes,
    minutes_agenda,
    minutes_log,
    organisations,
    attendance,
    actions,
    action_rounds,
)
