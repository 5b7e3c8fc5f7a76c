"""The ``trolyso`` command: one module per command group; ``main`` dispatches."""
