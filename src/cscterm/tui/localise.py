"""Key descriptions in the UI language.

``BINDINGS`` name their descriptions by message key (``"key.copy"``); every
screen and the App swap in the translated text when created and again when
the user switches language, so the Footer and help follow the language.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from cscterm.i18n import t


_SOURCE = "_cscterm_source_bindings"


def _key_of(binding: Binding) -> str:
    """The message key of a binding's description (Textual's own palette
    binding is described in English; it gets ours)."""
    if binding.action == "command_palette":
        return "key.palette"
    return binding.description


def localise_bindings(node: DOMNode) -> None:
    """Translate ``node``'s key descriptions into the current language.

    The first call keeps the node's bindings as they stand — the class
    bindings plus any a constructor added (the App's command-palette key) —
    and every call translates from that copy, so switching language back
    and forth never loses a binding.
    """
    source: BindingsMap | None = getattr(node, _SOURCE, None)
    if source is None:
        source = node._bindings.copy()
        setattr(node, _SOURCE, source)
    out = BindingsMap()
    for key, bindings in source.key_to_bindings.items():
        out.key_to_bindings[key] = [
            replace(b, description=t(_key_of(b))) if _key_of(b).startswith("key.") else b
            for b in bindings
        ]
    node._bindings = out
