"""The ``cscterm`` entry point.

``cscterm`` alone opens the workbench straight away, without loading the
command-line parser: the first frame is what an agent waits for, dozens of
times a week. Anything else goes to :mod:`cscterm.cli`.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1:
        from cscterm.cli import main as cli_main

        cli_main()
        return
    from cscterm.config import resolve
    from cscterm.i18n import set_language

    try:
        config = resolve()
        set_language(config.lang)
        from cscterm.tui.app import run

        run(config)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a person
        from cscterm.i18n import t
        from cscterm.text import printable

        print(printable(t("cli.unexpected", error=f"{type(exc).__name__}: {exc}")), file=sys.stderr)
        sys.exit(70)
