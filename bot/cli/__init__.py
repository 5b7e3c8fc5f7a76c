"""The ``trolyso`` command: one module per command group; ``main`` dispatches."""

from bot.cli.main import main

__all__ = ["main"]
