"""Channels translate between a medium (terminal, Telegram) and the engine's plain data."""
