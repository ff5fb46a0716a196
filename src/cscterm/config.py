"""Where cscterm keeps its data and who is using it.

Every setting has a flag and an environment variable so tests and shared
installations never touch the real home directory:

==========  ===============  ==========================================
flag        environment      default
==========  ===============  ==========================================
--db        CSCTERM_DB       ``user_data_path("cscterm")/cscterm.db``
--lang      CSCTERM_LANG     from the locale (zh* → zh_CN, else en)
--user      CSCTERM_USER     the operating-system login
(none)      CSCTERM_CONFIG   ``user_config_path("cscterm")/settings.json``
==========  ===============  ==========================================

The settings file keeps what the user changes inside the workbench (the UI
language); flags and environment variables still win over it.
"""

from __future__ import annotations

import getpass
import json
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
    settings_path: Path | None = None


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "cscterm.db"


def default_settings_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "settings.json"


def read_settings(path: Path | None) -> dict[str, object]:
    """The saved settings; a missing or damaged file means none."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_settings(path: Path | None, **changes: object) -> None:
    if path is None:
        return
    data = read_settings(path)
    data.update(changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


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
    settings_value = env.get("CSCTERM_CONFIG")
    settings_path = Path(settings_value).expanduser() if settings_value else default_settings_path()
    if lang:
        language = normalise_language(lang)
    elif env.get("CSCTERM_LANG"):
        language = detect_language(env)
    else:
        saved = read_settings(settings_path).get("lang")
        try:
            language = normalise_language(str(saved)) if saved else detect_language(env)
        except ValueError:
            language = detect_language(env)
    login = (user or env.get("CSCTERM_USER") or os_login()).strip()
    return Config(db_path=db_path, lang=language, login=login, settings_path=settings_path)
