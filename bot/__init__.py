"""Trợ lý số: a chatbot that guides residents step by step through digital public services."""

__version__ = "0.1.0"
__all__ = ["__version__"]
