"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import actions, help, meetings, minutes, settings

MODULES = (help, settings, meetings, minutes, actions)
