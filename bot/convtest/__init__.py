"""Conversation tests: scripted chats with the bot (flows/tests/*.yaml) on the real assistant."""
