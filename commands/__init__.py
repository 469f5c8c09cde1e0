"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import actions, help, meetings, minutes, polls, settings

MODULES = (help, settings, meetings, polls, minutes, actions)
