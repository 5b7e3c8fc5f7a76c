"""Telegram, through aiogram 3 or python-telegram-bot 22, by polling or webhook.

Everything here except ``aiogram_adapter`` and ``ptb_adapter`` is framework-free: the adapters
translate the framework's updates into :class:`~bot.channels.telegram.inputs.TgInput` and carry
out :class:`~bot.channels.telegram.inputs.ApiCall` requests; ordering, exactly-once processing,
rendering, rate limits and retries are shared, so residents see the same bot either way.
"""
