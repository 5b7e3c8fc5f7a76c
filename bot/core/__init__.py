"""The ground floor: values and contracts every other floor shares, with no I/O of their own.

Events, messages and buttons (``types``), the session and its only codec (``session``), staff
records (``staff``), one error root (``errors``), the Jinja sandbox (``sandbox``), located YAML and
problems (``located_yaml``, ``problems``, ``messages``), text folding and PII masking.
"""
