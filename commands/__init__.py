"""Feature modules, listed explicitly: the registry is built from this list at start."""

from commands import help, meetings, settings

MODULES = (help, settings, meetings)
