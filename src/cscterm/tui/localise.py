"""Key descriptions in the UI language.

``BINDINGS`` name their descriptions by message key (``"key.copy"``); every
screen and the App swap in the translated text when created and again when
the user switches language, so the Footer and help follow the language.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap
from textual.dom import DOMNode

from cscterm.i18n import t


def localise_bindings(node: DOMNode) -> None:
    merged = type(node)._merged_bindings or BindingsMap()
    out = BindingsMap()
    for key, bindings in merged.key_to_bindings.items():
        out.key_to_bindings[key] = [
            replace(b, description=t(b.description)) if b.description.startswith("key.") else b
            for b in bindings
        ]
    node._bindings = out
