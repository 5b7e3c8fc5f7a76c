"""A commune's Zalo Official Account: the same guides in the messenger residents already have.

``channel`` (what :class:`bot.channels.base.Channel` asks of a channel, for Zalo), ``webhook``
(the aiohttp server Zalo calls, with its signature check), ``events`` (Zalo's events as engine
events), ``render`` (messages as customer-service requests, split to Zalo's limits), ``client``
(the thin HTTP client of the OA API and its answers as the error kinds of bot.core.errors),
``tokens`` (access tokens renewed by one process at a time), ``window`` (when a resident last
wrote: an OA may only answer within a window after that).
"""
