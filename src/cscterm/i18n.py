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
    "cli.write_failed": "Could not write {path}: {error}",
    "cli.exported": "{count} handover(s) written to {path}.",
    "cli.bad_shift": "“{spec}” is not a shift; write NAME=HH:MM-HH:MM, e.g. 早班=08:00-16:00.",
    "field.title": "Title",
    "field.shortcut": "Shortcut",
    "field.body": "Text",
    "field.term": "Term",
    "field.reason": "Reason",
    "field.alternative": "Alternative",
    "what.script": "This script",
    "what.term": "This term",
    # shift handover
    "field.ho.team": "Team",
    "field.ho.shifts": "Shifts",
    "field.ho.shift_name": "shift name",
    "field.ho.start": "start",
    "field.ho.end": "end",
    "field.ho.summary": "Summary",
    "field.ho.watchouts": "Watch-outs",
    "field.ho.to": "To",
    "field.ho.item": "Item {n}: {field}",
    "field.ho.reference": "customer or order",
    "field.ho.situation": "situation",
    "field.ho.next_action": "next action",
    "field.ho.due": "due",
    "field.ho.owner": "owner",
    "field.ho.synthesis": "Synthesis",
    "field.ho.question": "Question",
    "field.ho.note": "Note",
    "field.ho.comment": "Comment",
    "what.handover": "This handover",
    "ho.md.status": "Shift",
    "ho.md.to": "To",
    "ho.md.acked": "Acknowledged",
    "ho.md.items": "Open items",
    "ho.md.rolled": "rolled over {count}×",
    "ho.status.draft": "draft",
    "ho.status.open": "open",
    "ho.status.done": "done",
    "ho.status.handed_on": "handed on",
    "ho.state.draft": "draft",
    "ho.state.submitted": "waiting",
    "ho.state.acknowledged": "acknowledged",
    "ho.overall.normal": "normal",
    "ho.overall.busy": "busy",
    "ho.overall.incident": "incident",
    "what.item": "This item",
    "err.invalid.clock": "{field}: “{value}” is not a time; write it as 08:00 (24-hour).",
    "err.invalid.shift_empty": "Shift “{name}” starts and ends at the same time.",
    "err.invalid.shift_duplicate": "Two shifts are called “{name}”.",
    "err.invalid.shift_overlap": "Shifts “{first}” and “{second}” overlap at {at}.",
    "err.invalid.due": "{field}: “{value}” is not a time; write 15:30, 11-24 09:00, 2026-11-24 09:00 or +30m / +2h.",
    "err.invalid.due_early": "{field}: “{value}” is before the shift starts ({start}); give a later time, e.g. 15:30 or +30m.",
    "err.invalid.unknown_user": "{field}: nobody logs in as “{login}”.",
    "err.invalid.overall": "Unknown shift status “{value}”; use one of: {allowed}.",
    "err.invalid.too_many_items": "{count} items; a handover holds at most {limit}.",
    "err.invalid.to_self": "A handover cannot be addressed to its author.",
    "err.invalid.owner_team": "{field}: {login} is not in team {team}.",
    "err.invalid.handover_incomplete": "Fill in before submitting: {fields}.",
    "err.invalid.ack_undecided": "Accept or ask a question on every open item: {items}.",
    "err.invalid.item_in_draft": "The handover is still a draft; edit the item in the draft.",
    "err.invalid.date_range": "The range ends ({last}) before it starts ({first}).",
    "err.conflict.handover_submitted": "This handover was submitted at {when} and can no longer be edited.",
    "err.conflict.item_gone": "The rolled-over item “{reference}” was meanwhile closed or handed on in another note; remove it from this one.",
    "err.conflict.acknowledged": "Already acknowledged by {who} at {when}.",
    "err.conflict.item_closed": "This item is already {status}.",
    "err.not_found.shift": "Team {team} has no shift called “{name}”.",
    "err.not_found.handover": "Handover #{id} does not exist or is not visible to you.",
    "err.not_found.item": "Item #{id} does not exist or is not visible to you.",
    "err.not_allowed.shifts": "Only a lead can change shift times.",
    "err.not_allowed.teams": "Only a lead can move people between teams.",
    "err.not_allowed.grace": "Only a lead can change the acknowledgement time.",
    "err.invalid.grace": "{value} is not a number of minutes from 0 to {limit}.",
    "err.not_allowed.handover_author": "Only its author can edit a draft handover.",
    "err.not_allowed.acknowledge": "This handover is addressed to {to}; only they can acknowledge it.",
    "err.not_allowed.item": "Only the team, the item's owner or a lead can work on this item.",
    "err.not_allowed.reassign": "Only a lead can reassign items.",
    "err.not_allowed.lead_queue": "The handover queue is for leads.",
    "err.not_allowed.other_team": "You can only export your own team's handovers.",
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
    "cli.write_failed": "无法写入 {path}：{error}",
    "cli.exported": "已把 {count} 份交接写入 {path}。",
    "cli.bad_shift": "「{spec}」不是班次，请写成 名称=HH:MM-HH:MM，例如 早班=08:00-16:00。",
    "field.title": "标题",
    "field.shortcut": "快捷码",
    "field.body": "正文",
    "field.term": "禁忌语",
    "field.reason": "原因",
    "field.alternative": "替代说法",
    "what.script": "这条话术",
    "what.term": "这条禁忌语",
    # 交接班
    "field.ho.team": "团队",
    "field.ho.shifts": "班次",
    "field.ho.shift_name": "班次名称",
    "field.ho.start": "开始",
    "field.ho.end": "结束",
    "field.ho.summary": "本班概况",
    "field.ho.watchouts": "注意事项",
    "field.ho.to": "交给",
    "field.ho.item": "第 {n} 项：{field}",
    "field.ho.reference": "客户或订单",
    "field.ho.situation": "情况",
    "field.ho.next_action": "下一步",
    "field.ho.due": "截止时间",
    "field.ho.owner": "负责人",
    "field.ho.synthesis": "接班复述",
    "field.ho.question": "问题",
    "field.ho.note": "说明",
    "field.ho.comment": "评论",
    "what.handover": "这份交接",
    "ho.md.status": "班次状态",
    "ho.md.to": "交给",
    "ho.md.acked": "接班确认",
    "ho.md.items": "待办事项",
    "ho.md.rolled": "已顺延 {count} 次",
    "ho.status.draft": "草稿",
    "ho.status.open": "未结",
    "ho.status.done": "已完成",
    "ho.status.handed_on": "已转交",
    "ho.state.draft": "草稿",
    "ho.state.submitted": "待确认",
    "ho.state.acknowledged": "已确认",
    "ho.overall.normal": "正常",
    "ho.overall.busy": "繁忙",
    "ho.overall.incident": "异常",
    "what.item": "这一项",
    "err.invalid.clock": "{field}：「{value}」不是时间，请写成 08:00（24 小时制）。",
    "err.invalid.shift_empty": "班次「{name}」的开始和结束时间相同。",
    "err.invalid.shift_duplicate": "有两个班次都叫「{name}」。",
    "err.invalid.shift_overlap": "班次「{first}」和「{second}」在 {at} 重叠。",
    "err.invalid.due": "{field}：「{value}」不是时间，可以写 15:30、11-24 09:00、2026-11-24 09:00 或 +30m / +2h。",
    "err.invalid.due_early": "{field}：「{value}」早于本班开始（{start}），请填更晚的时间，例如 15:30 或 +30m。",
    "err.invalid.unknown_user": "{field}：没有登录名为「{login}」的用户。",
    "err.invalid.overall": "未知的班次状态「{value}」，可用：{allowed}。",
    "err.invalid.too_many_items": "共 {count} 项，一份交接最多 {limit} 项。",
    "err.invalid.to_self": "交接不能交给自己。",
    "err.invalid.owner_team": "{field}：{login} 不在 {team} 团队。",
    "err.invalid.handover_incomplete": "提交前请填写：{fields}。",
    "err.invalid.ack_undecided": "请对每个未结事项确认接手或提出问题：{items}。",
    "err.invalid.item_in_draft": "这份交接还是草稿，请在草稿里修改事项。",
    "err.invalid.date_range": "结束日期（{last}）早于开始日期（{first}）。",
    "err.conflict.handover_submitted": "这份交接已于 {when} 提交，不能再编辑。",
    "err.conflict.item_gone": "顺延的事项「{reference}」已在别的交接中结束或转交，请从这份交接中移除。",
    "err.conflict.acknowledged": "已由 {who} 于 {when} 确认接班。",
    "err.conflict.item_closed": "这一项已经{status}。",
    "err.not_found.shift": "{team} 团队没有名为「{name}」的班次。",
    "err.not_found.handover": "交接 #{id} 不存在或你无权查看。",
    "err.not_found.item": "事项 #{id} 不存在或你无权查看。",
    "err.not_allowed.shifts": "只有组长可以修改班次时间。",
    "err.not_allowed.teams": "只有组长可以调整成员所在团队。",
    "err.not_allowed.grace": "只有组长可以修改确认时限。",
    "err.invalid.grace": "{value} 不是 0 到 {limit} 之间的分钟数。",
    "err.not_allowed.handover_author": "只有作者可以编辑交接草稿。",
    "err.not_allowed.acknowledge": "这份交接是交给 {to} 的，只有对方可以确认。",
    "err.not_allowed.item": "只有本团队、负责人或组长可以处理这一项。",
    "err.not_allowed.reassign": "只有组长可以改派事项。",
    "err.not_allowed.lead_queue": "交接队列仅供组长查看。",
    "err.not_allowed.other_team": "只能导出本团队的交接。",
}


def register(en: Mapping[str, str], zh: Mapping[str, str]) -> None:
    """Add a layer's own strings (the TUI keeps its strings next to its screens)."""
    _EN.update(en)
    _ZH.update(zh)
