"""Make the fake Bot API fixtures available to the tests in this folder."""

from tests.support.fixtures import fake_bot_api, fake_bot_api_process

__all__ = ["fake_bot_api", "fake_bot_api_process"]
