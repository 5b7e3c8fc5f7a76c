"""Interface texts (buttons, greetings, errors) per language, with Vietnamese as the fallback."""

from bot.i18n.catalog import Catalog, load_catalog

__all__ = ["Catalog", "load_catalog"]
