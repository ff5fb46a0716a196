"""Where cscterm keeps its data and who is using it.

Every setting has a flag and an environment variable so tests and shared
installations never touch the real home directory:

==========  ===============  ==========================================
flag        environment      default
==========  ===============  ==========================================
--db        CSCTERM_DB       ``user_data_path("cscterm")/cscterm.db``
--lang      CSCTERM_LANG     from the locale (zh* → zh_CN, else en)
--user      CSCTERM_USER     the operating-system login
==========  ===============  ==========================================
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cscterm.i18n import detect_language, normalise_language

APP_NAME = "cscterm"


@dataclass(frozen=True)
class Config:
    db_path: Path
    lang: str
    login: str


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "cscterm.db"


def os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a bare container
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "user"


def resolve(
    db: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Flags win over environment variables, which win over defaults."""
    env = os.environ if env is None else env
    db_value = db or env.get("CSCTERM_DB") or None
    db_path = Path(db_value).expanduser() if db_value else default_db_path()
    language = normalise_language(lang) if lang else detect_language(env)
    login = (user or env.get("CSCTERM_USER") or os_login()).strip()
    return Config(db_path=db_path, lang=language, login=login)
