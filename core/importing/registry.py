"""Importers by key. Apps register theirs in `<app>/importers.py`; the modules are discovered on first access."""

from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from core.importing.base import Importer


class UnknownImporter(LookupError):
    """No importer is registered under this key (views answer 404)."""


_registry: dict[str, type[Importer]] = {}
_discovered = False


def register(importer: type[Importer]) -> type[Importer]:
    """Class decorator: make an importer available under its key."""
    existing = _registry.get(importer.key)
    if existing is not None and existing.__qualname__ != importer.__qualname__:
        raise ValueError(f"importer key {importer.key!r} is already registered by {existing!r}")
    _registry[importer.key] = importer
    return importer


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True


def all_importers() -> list[type[Importer]]:
    """Importers in the order of their apps in INSTALLED_APPS (stable, whatever imported them first)."""
    _discover()
    order = {name: index for index, name in enumerate(settings.INSTALLED_APPS)}
    return sorted(_registry.values(), key=lambda imp: order.get(imp.__module__.split(".")[0], len(order)))


def get_importer(key: str) -> type[Importer]:
    _discover()
    try:
        return _registry[key]
    except KeyError:
        raise UnknownImporter(key) from None
