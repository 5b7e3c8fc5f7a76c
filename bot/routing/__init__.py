"""Routing typed messages to guides: which flow a resident means, however they typed it.

Pure: no channel, no storage. The engine builds one :class:`Router` when flows are loaded and
asks it about every message typed outside a step; :func:`match_label` finds the button a typed
answer means inside a step.
"""

from bot.routing.labels import match_label
from bot.routing.router import HIGH, MARGIN, MEDIUM, Candidate, Route, RouteKind, Router
from bot.routing.smalltalk import SmallTalk, load_smalltalk
from bot.routing.words import words

__all__ = [
    "HIGH",
    "MARGIN",
    "MEDIUM",
    "Candidate",
    "Route",
    "RouteKind",
    "Router",
    "SmallTalk",
    "load_smalltalk",
    "match_label",
    "words",
]
