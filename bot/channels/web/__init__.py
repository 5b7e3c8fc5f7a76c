"""The web chat: the same guides in any phone's browser, no app and no account.

``channel`` (intake into the application's turns, replies into each resident's mailbox),
``server`` (aiohttp: the page, WebSocket and its plain-HTTP fallback, the security headers),
``protocol`` (what the page and the bot say to each other), ``mailbox`` (numbered replies kept
for reconnects), ``page`` (the HTML), ``throttle`` (rate limits), ``static/`` (script and style).
"""
