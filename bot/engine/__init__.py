"""The pure core: sessions, the runner and rendering. No channel, no database, no Telegram."""
