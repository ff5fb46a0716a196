"""UI and message strings in Simplified Chinese and English.

The language follows ``--lang`` / ``CSCTERM_LANG``, then the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``): ``zh*`` means Chinese, anything else
English. Messages are looked up by key when shown, so a domain error raised in
the service layer reads in the language of whoever sees it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("zh_CN", "en")
_current = "en"


def detect_language(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    explicit = env.get("CSCTERM_LANG", "")
    if explicit:
        try:
            return normalise_language(explicit)
        except ValueError:
            return "en"  # an unsupported language falls back to English
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    return "en"


def normalise_language(value: str) -> str:
    low = value.strip().lower().replace("-", "_")
    if low.startswith("zh"):
        return "zh_CN"
    if low.startswith("en") or low in ("c", "posix"):
        return "en"
    raise ValueError(value)


def set_language(lang: str) -> None:
    global _current
    _current = normalise_language(lang)


def get_language() -> str:
    return _current


def t(key: str, /, **params: object) -> str:
    """The message ``key`` in the current language, formatted with ``params``."""
    table = _ZH if _current == "zh_CN" else _EN
    template = table.get(key) or _EN.get(key) or key
    return template.format(**params) if params else template


# Style keys are stored in English; these are their labels.
STYLE_LABELS = {
    "zh_CN": {
        "standard": "标准",
        "caring": "贴心",
        "cute": "卖萌",
        "casual": "江湖",
        "humorous": "搞笑",
    },
    "en": {
        "standard": "standard",
        "caring": "caring",
        "cute": "cute",
        "casual": "casual",
        "humorous": "humorous",
    },
}

LEVEL_LABELS = {
    "zh_CN": {"new": "新人", "all": "通用", "senior": "资深"},
    "en": {"new": "new agents", "all": "everyone", "senior": "senior"},
}


def style_label(style: str) -> str:
    return STYLE_LABELS[_current].get(style, style)


def level_label(level: str) -> str:
    return LEVEL_LABELS[_current].get(level, level)


_EN: dict[str, str] = {
    # errors
    "err.not_found.script": "No script with id {id} (it may have been retired).",
    "err.not_found.scenario": "No scenario {ref}.",
    "err.not_found.term": "No forbidden term {ref}.",
    "err.not_found.user": "No user with login {login}.",
    "err.not_allowed.team_script": "Only a lead can change team scripts; save it as your own script instead.",
    "err.not_allowed.others_script": "This is {owner}'s personal script; only they can change it.",
    "err.not_allowed.forbidden": "Only a lead can edit the forbidden-term list.",
    "err.not_allowed.scenario": "Only a lead can change scenarios.",
    "err.not_allowed.roles": "Only a lead can change roles.",
    "err.not_allowed.last_lead": "{login} is the last lead; make someone else lead first.",
    "err.conflict.version": "{what} was changed by {who} at {when} (version {theirs}); you edited version {yours}. Reload it and apply your change again.",
    "err.conflict.shortcut": "Shortcut /{shortcut} is already used by “{title}”.",
    "err.conflict.term": "“{term}” is already on the forbidden-term list.",
    "err.invalid.required": "{field} is required.",
    "err.invalid.too_long": "{field} is too long ({length} characters; at most {limit}).",
    "err.invalid.shortcut": "Shortcut “{shortcut}” may only contain letters, digits, _ and - (at most 32).",
    "err.invalid.style": "Unknown style “{style}”; use one of: {styles}.",
    "err.invalid.no_styles": "A script needs at least one style with text.",
    "err.invalid.placeholder": "{field}: “{token}” is not a valid placeholder; write {{{{name}}}} or {{{{name|default}}}}.",
    "err.invalid.missing_values": "Fill in: {fields}.",
    "err.invalid.role": "Unknown role “{role}”; use lead or agent.",
    "err.invalid.query": "Type something to search for.",
    # import problems (FILE:LINE: field: <message>)
    "err.invalid.import": "{count} problem(s) in the import; nothing was written.",
    "err.not_allowed.import": "Only a lead can import into the team library.",
    "imp.file_too_big": "file is {size} bytes; at most {limit}",
    "imp.utf8": "not valid UTF-8 (byte {offset}); save the file as UTF-8",
    "imp.private_use": "contains private-use characters U+F0000–U+F0101, which are not supported",
    "imp.type": "expected {expected}, got {got}",
    "imp.t.mapping": "a mapping (key: value)",
    "imp.t.text": "text",
    "imp.t.list": "a list",
    "imp.t.number": "a number",
    "imp.duplicate_key": "appears twice in the same mapping",
    "imp.unknown_field": "unknown field; expected one of: {allowed}",
    "imp.missing": "required field is missing or empty",
    "imp.too_long": "too long ({length} characters; at most {limit})",
    "imp.empty": "must not be empty",
    "imp.language": "unknown language “{language}”; use zh_CN or en",
    "imp.format": "unknown format “{got}”; expected {expected}",
    "imp.placeholder_name": "placeholder names use a-z, 0-9 and _, starting with a letter",
    "imp.key": "“{key}” is not a valid key (a-z, 0-9, . _ -; at most 64)",
    "imp.duplicate_in_file": "“{value}” is already used on line {line}",
    "imp.duplicate_in_db": "shortcut “{value}” is already used by the team script “{title}”",
    "imp.duplicate_in_other_file": "shortcut “{value}” is also defined at {where}",
    "imp.choice": "“{value}” is not one of: {choices}",
    "imp.shortcut": "shortcut “{shortcut}” may only contain letters, digits, _ and - (at most 32)",
    "imp.style": "unknown style “{style}”; use one of: {styles}",
    "imp.bad_placeholder": "“{token}” is not a valid placeholder; write {{{{name}}}} or {{{{name|default}}}}",
    "imp.default_style": "default style “{style}” is not among this script's styles ({styles})",
    # generic
    "cli.import_failed": "{count} problem(s); nothing was imported.",
    "cli.import_done": "Imported {files} file(s): {scenarios_added} scenarios added, {scenarios_updated} updated; {scripts_added} scripts added, {scripts_updated} updated; {terms_added} forbidden terms added, {terms_updated} updated.",
    "cli.no_hits": "No matching scripts.",
    "cli.lint_hits": "{count} forbidden term(s) found.",
    "cli.unexpected": "cscterm stopped on an unexpected error: {error}",
    "field.title": "Title",
    "field.shortcut": "Shortcut",
    "field.body": "Text",
    "field.term": "Term",
    "field.reason": "Reason",
    "field.alternative": "Alternative",
    "what.script": "This script",
    "what.term": "This term",
}

_ZH: dict[str, str] = {
    "err.not_found.script": "找不到编号为 {id} 的话术（可能已停用）。",
    "err.not_found.scenario": "找不到场景 {ref}。",
    "err.not_found.term": "找不到禁忌语 {ref}。",
    "err.not_found.user": "找不到登录名为 {login} 的用户。",
    "err.not_allowed.team_script": "只有组长可以修改团队话术；可以另存为自己的话术。",
    "err.not_allowed.others_script": "这是 {owner} 的个人话术，只有本人可以修改。",
    "err.not_allowed.forbidden": "只有组长可以编辑禁忌语列表。",
    "err.not_allowed.scenario": "只有组长可以修改场景。",
    "err.not_allowed.roles": "只有组长可以修改角色。",
    "err.not_allowed.last_lead": "{login} 是最后一位组长，请先指定另一位组长。",
    "err.conflict.version": "{what}已被 {who} 于 {when} 修改（版本 {theirs}），你编辑的是版本 {yours}。请重新载入后再改。",
    "err.conflict.shortcut": "快捷码 /{shortcut} 已被「{title}」使用。",
    "err.conflict.term": "「{term}」已在禁忌语列表中。",
    "err.invalid.required": "{field}不能为空。",
    "err.invalid.too_long": "{field}过长（{length} 字，最多 {limit} 字）。",
    "err.invalid.shortcut": "快捷码「{shortcut}」只能包含字母、数字、_ 和 -（最多 32 个）。",
    "err.invalid.style": "未知风格「{style}」，可用：{styles}。",
    "err.invalid.no_styles": "话术至少要有一种风格的正文。",
    "err.invalid.placeholder": "{field}：「{token}」不是有效的占位符，请写成 {{{{name}}}} 或 {{{{name|默认值}}}}。",
    "err.invalid.missing_values": "请填写：{fields}。",
    "err.invalid.role": "未知角色「{role}」，请用 lead 或 agent。",
    "err.invalid.query": "请输入要搜索的内容。",
    "err.invalid.import": "导入发现 {count} 个问题，未写入任何内容。",
    "err.not_allowed.import": "只有组长可以向团队话术库导入。",
    "imp.file_too_big": "文件有 {size} 字节，最多 {limit}",
    "imp.utf8": "不是有效的 UTF-8（第 {offset} 字节），请以 UTF-8 保存",
    "imp.private_use": "包含不支持的私用区字符 U+F0000–U+F0101",
    "imp.type": "应为{expected}，实际是{got}",
    "imp.t.mapping": "键值映射",
    "imp.t.text": "文本",
    "imp.t.list": "列表",
    "imp.t.number": "数字",
    "imp.duplicate_key": "在同一映射中出现了两次",
    "imp.unknown_field": "未知字段；可用：{allowed}",
    "imp.missing": "必填字段缺失或为空",
    "imp.too_long": "过长（{length} 字，最多 {limit} 字）",
    "imp.empty": "不能为空",
    "imp.language": "未知语言「{language}」，请用 zh_CN 或 en",
    "imp.format": "未知格式「{got}」，应为 {expected}",
    "imp.placeholder_name": "占位符名只能用 a-z、0-9 和 _，且以字母开头",
    "imp.key": "「{key}」不是有效的键（a-z、0-9、. _ -，最多 64 个）",
    "imp.duplicate_in_file": "「{value}」已在第 {line} 行使用",
    "imp.duplicate_in_db": "快捷码「{value}」已被团队话术「{title}」使用",
    "imp.duplicate_in_other_file": "快捷码「{value}」也定义在 {where}",
    "imp.choice": "「{value}」不在可选值中：{choices}",
    "imp.shortcut": "快捷码「{shortcut}」只能包含字母、数字、_ 和 -（最多 32 个）",
    "imp.style": "未知风格「{style}」，可用：{styles}",
    "imp.bad_placeholder": "「{token}」不是有效的占位符，请写成 {{{{name}}}} 或 {{{{name|默认值}}}}",
    "imp.default_style": "默认风格「{style}」不在本话术的风格中（{styles}）",
    "cli.import_failed": "共 {count} 个问题，未导入任何内容。",
    "cli.import_done": "已导入 {files} 个文件：新增场景 {scenarios_added} 个、更新 {scenarios_updated} 个；新增话术 {scripts_added} 条、更新 {scripts_updated} 条；新增禁忌语 {terms_added} 条、更新 {terms_updated} 条。",
    "cli.no_hits": "没有匹配的话术。",
    "cli.lint_hits": "发现 {count} 处禁忌语。",
    "cli.unexpected": "cscterm 遇到意外错误而停止：{error}",
    "field.title": "标题",
    "field.shortcut": "快捷码",
    "field.body": "正文",
    "field.term": "禁忌语",
    "field.reason": "原因",
    "field.alternative": "替代说法",
    "what.script": "这条话术",
    "what.term": "这条禁忌语",
}


def register(en: Mapping[str, str], zh: Mapping[str, str]) -> None:
    """Add a layer's own strings (the TUI keeps its strings next to its screens)."""
    _EN.update(en)
    _ZH.update(zh)
