"""The flow format as a JSON Schema (draft 2020-12), for autocomplete and checks in editors.

Built from the pydantic models in ``schema.py``, then reshaped into what admins actually write:
a text is a plain string or ``{vi: ..., en: ...}``, ``help`` is a step id or a group, and every
field carries a short description in both languages. ``trolyso schema`` writes it to
docs/flow.schema.json, which flow files name in their first line for the YAML language server.
Lint remains the judge: the schema helps while typing, it does not replace ``trolyso lint``.
"""

from __future__ import annotations

import json
from typing import Any

from bot.flows.schema import Flow

__all__ = ["DESCRIPTIONS", "flow_schema", "schema_text"]

_ID = "^[a-z][a-z0-9_]{0,39}$"
_STEP_REF = {"type": "string", "pattern": _ID}
_SCALAR = ["string", "number"]

# (model, field) -> (Vietnamese, English): what an admin needs to know while typing it.
DESCRIPTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("Flow", "id"): (
        "Mã luồng: a-z, 0-9, _ (không đổi khi đã dùng).",
        "The flow's id: a-z, 0-9, _ (keep it once residents use it).",
    ),
    ("Flow", "version"): (
        "Số phiên bản; tăng 1 mỗi lần sửa.",
        "Version number; add 1 whenever you change the flow.",
    ),
    ("Flow", "title"): (
        "Tên luồng trên menu.",
        "The name residents see in the menu.",
    ),
    ("Flow", "description"): (
        "Một câu: luồng giúp việc gì.",
        "One sentence on what the flow helps with.",
    ),
    ("Flow", "triggers"): (
        "Các cụm từ người dân có thể gõ để tìm luồng, theo ngôn ngữ.",
        "Words residents may type to find this flow, per language.",
    ),
    ("Flow", "sources"): (
        "Nguồn của thông tin (ít nhất một).",
        "Where the facts come from (at least one).",
    ),
    ("Flow", "checked"): (
        "Ngày kiểm tra lại thông tin gần nhất (YYYY-MM-DD).",
        "When the facts were last checked (YYYY-MM-DD).",
    ),
    ("Flow", "start"): (
        "Mã của bước đầu tiên.",
        "The id of the first step.",
    ),
    ("Flow", "order"): (
        "Vị trí trên menu (nhỏ đứng trước; mặc định 100).",
        "Position in the menu (smaller first; default 100).",
    ),
    ("Flow", "menu"): (
        "false: ẩn khỏi menu (luồng chỉ dùng làm luồng con).",
        "false hides the flow from the menu (sub-flow only).",
    ),
    ("Flow", "priority"): (
        "Khi lời gõ khớp nhiều luồng, luồng ưu tiên cao hơn thắng (mặc định 0).",
        "When typed words match several flows, the higher priority wins (default 0).",
    ),
    ("Flow", "expire_after"): (
        "Phiên bỏ dở lâu hơn thế này thì kết thúc (mặc định '14 days', hoặc '14 ngày').",
        "A session idle longer than this ends as abandoned (default '14 days').",
    ),
    ("Flow", "steps"): (
        "Các bước, mỗi bước dưới mã riêng của nó.",
        "The steps, each under its own id.",
    ),
    ("Step", "say"): (
        "Nội dung bot nói ở bước này.",
        "What the bot says at this step.",
    ),
    ("Step", "image"): (
        "Ảnh kèm nội dung: đường dẫn tệp cạnh luồng hoặc địa chỉ https://.",
        "A picture: a file path beside the flow, or an https:// address.",
    ),
    ("Step", "link"): (
        "Một địa chỉ web hiện thành nút.",
        "A web address shown as a button.",
    ),
    ("Step", "choices"): (
        "Các nút để chọn; bước chờ người dân bấm.",
        "Buttons to choose from; the step waits for a press.",
    ),
    ("Step", "ask"): (
        "Hỏi và chờ người dân gõ câu trả lời.",
        "Ask, and wait for a typed answer.",
    ),
    ("Step", "go"): (
        "Mã bước tiếp theo.",
        "The id of the next step.",
    ),
    ("Step", "end"): (
        "Kết thúc luồng: completed (xong), referred (chuyển người giúp), gave_up (dừng).",
        "Ends the flow: completed, referred or gave_up.",
    ),
    ("Step", "when"): (
        "Chọn bước tiếp theo theo câu trả lời đã lưu; không điều kiện nào đúng thì đi 'go'.",
        "Pick the next step by saved answers; else 'go'.",
    ),
    ("Step", "flow"): (
        "Chạy một luồng khác rồi quay lại 'go'.",
        "Run another flow, then come back to 'go'.",
    ),
    ("Step", "with"): (
        "Trao cho luồng con các câu trả lời đã có, theo tên biến của luồng con, ví dụ "
        '{ has_sms: "yes" } hoặc { task: "{{ task }}" }.',
        "Give the sub-flow answers already collected, by its variable names, e.g. "
        '{ has_sms: "yes" } or { task: "{{ task }}" }.',
    ),
    ("Step", "skip_if_known"): (
        "true: bỏ qua câu hỏi này khi luồng gọi đã trao câu trả lời (with:); nút có 'set:' "
        "khớp câu trả lời được chọn thay người dân.",
        "true: skip this question when the calling flow gave its answer (with:); the button "
        "whose 'set:' matches is taken for the resident.",
    ),
    ("Step", "help"): (
        'Nút "Không làm được": mã bước trợ giúp, hoặc {go, label}.',
        'The "It didn\'t work" button: a step id, or {go, label}.',
    ),
    ("Step", "notify"): (
        "Tin gửi tình nguyện viên và quản trị khi tới bước này.",
        "A message to volunteers and admins when this step is reached.",
    ),
    ("Step", "follow_up"): (
        "Nhắc lại sau một thời gian nếu người dân vẫn dừng ở bước này: {after, go, repeat}.",
        "Come back later if the resident is still at this step: {after, go, repeat}.",
    ),
    ("FollowUp", "after"): (
        "Sau bao lâu, ví dụ '1 day', '2 hours', '1 ngày', '2 giờ'.",
        "How long to wait, e.g. '1 day', '2 hours'.",
    ),
    ("FollowUp", "go"): (
        "Mã bước gửi cho người dân khi nhắc.",
        "The id of the step sent as the reminder.",
    ),
    ("FollowUp", "repeat"): (
        "Nhắc tối đa bao nhiêu lần (mặc định 1).",
        "How many reminders at most (default 1).",
    ),
    ("FollowUp", "while"): (
        "at_step: chỉ nhắc nếu vẫn ở bước này; in_flow: nếu chưa xong luồng.",
        "at_step: only if still at this step; in_flow: if the flow is not finished.",
    ),
    ("Choice", "label"): (
        "Chữ trên nút (ngắn, tối đa khoảng 40 ký tự).",
        "The button's words (short, at most about 40 characters).",
    ),
    ("Choice", "go"): (
        "Mã bước khi bấm nút này.",
        "The id of the step this button leads to.",
    ),
    ("Choice", "set"): (
        "Ghi nhớ trong luồng này, ví dụ { phone: iphone }.",
        "Remember for this flow, e.g. { phone: iphone }.",
    ),
    ("Choice", "remember"): (
        "Ghi nhớ cho mọi luồng, ví dụ { xung_ho: bác }.",
        "Remember for every flow, e.g. { xung_ho: bác }.",
    ),
    ("Choice", "means"): (
        'Ý nghĩa của nút, để lời gõ như "ko dc" bấm được nó: trouble (không được), cannot '
        "(không làm được), not_found (không thấy), help (giúp tôi), done (xong), yes (có), no "
        "(không, chưa), later (để sau). Thường bot tự hiểu từ chữ trên nút.",
        'What the button means, so typed words like "ko dc" press it: trouble, cannot, '
        "not_found, help, done, yes, no, later. Usually the bot reads it from the label.",
    ),
    ("Help", "go"): (
        "Mã bước trợ giúp.",
        "The id of the help step.",
    ),
    ("Help", "label"): (
        "Chữ trên nút trợ giúp.",
        "The help button's words.",
    ),
    ("Link", "url"): (
        "Địa chỉ web đầy đủ, bắt đầu bằng https://.",
        "The full web address, starting with https://.",
    ),
    ("Link", "label"): (
        "Chữ trên nút mở trang web.",
        "The words on the link button.",
    ),
    ("Ask", "save_as"): (
        "Tên để lưu câu trả lời, dùng lại như {{ tên }}.",
        "The name the answer is saved as, used as {{ name }}.",
    ),
    ("Ask", "type"): (
        "Loại câu trả lời: text, yes_no, number, date, pattern.",
        "The kind of answer.",
    ),
    ("Ask", "min"): (
        "Số nhỏ nhất được nhận (type: number).",
        "The smallest number accepted (type: number).",
    ),
    ("Ask", "max"): (
        "Số lớn nhất được nhận (type: number).",
        "The largest number accepted (type: number).",
    ),
    ("Ask", "pattern"): (
        "Biểu thức chính quy câu trả lời phải khớp (type: pattern).",
        "The regular expression an answer must match (type: pattern).",
    ),
    ("Ask", "max_length"): (
        "Số ký tự tối đa (mặc định 200).",
        "The most characters accepted (default 200).",
    ),
    ("Ask", "retry"): (
        "Câu hỏi lại khi câu trả lời không hợp lệ.",
        "What to say when the answer does not fit.",
    ),
    ("Ask", "sensitive"): (
        "true: kiểm tra nhưng không bao giờ lưu câu trả lời.",
        "true: check the answer but never store it.",
    ),
    ("Condition", "if"): (
        'Điều kiện, ví dụ: age >= 60 and phone == "iphone".',
        'A condition, e.g. age >= 60 and phone == "iphone".',
    ),
    ("Condition", "go"): (
        "Mã bước khi điều kiện đúng.",
        "The id of the step to go to when it is true.",
    ),
    ("Triggers", "vi"): (
        "Cụm từ tiếng Việt (có dấu và không dấu).",
        "Vietnamese phrases (with and without accents).",
    ),
    ("Triggers", "en"): (
        "Cụm từ tiếng Anh.",
        "English phrases.",
    ),
    ("Text", "vi"): (
        "Tiếng Việt (bắt buộc).",
        "Vietnamese (required).",
    ),
    ("Text", "en"): (
        "Tiếng Anh; thiếu thì hiện bản tiếng Việt.",
        "English; the Vietnamese text is shown when missing.",
    ),
}


def _description(model: str, name: str) -> str:
    """One line for the editor's tooltip: Vietnamese first, then English."""
    return " · ".join(DESCRIPTIONS[(model, name)])


def _describe(model: str, properties: dict[str, Any]) -> None:
    for name, prop in properties.items():
        prop["description"] = _description(model, name)


def _admin_shape(node: Any, *, names: bool = False) -> Any:
    """Drop pydantic's noise: generated titles, and ``null`` where "leave it out" is meant.

    ``names`` is set for a map of field names to schemas, where a field may be called "title".
    """
    if isinstance(node, list):
        return [_admin_shape(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        key: _admin_shape(value, names=not names and key in ("properties", "$defs"))
        for key, value in node.items()
        if names or key != "title"
    }
    if names:
        return node
    options = node.get("anyOf")
    optional = "default" in node and node["default"] is None
    if isinstance(options, list) and {"type": "null"} in options and optional:
        kept = [option for option in options if option != {"type": "null"}]
        node.pop("default", None)
        node.pop("anyOf")
        node.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
    return node


def _text_schema() -> dict[str, Any]:
    per_language = {
        "type": "object",
        "properties": {
            "vi": {"type": _SCALAR, "minLength": 1, "description": _description("Text", "vi")},
            "en": {"type": _SCALAR, "description": _description("Text", "en")},
        },
        "required": ["vi"],
        "additionalProperties": False,
    }
    return {
        "description": "Một câu (tiếng Việt) hoặc { vi: ..., en: ... }. · "
        "A text (Vietnamese), or { vi: ..., en: ... }.",
        "anyOf": [{"type": _SCALAR, "minLength": 1}, per_language],
    }


def flow_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, as a dict."""
    raw = Flow.model_json_schema(by_alias=True, mode="validation")
    defs: dict[str, Any] = _admin_shape(raw.pop("$defs"))
    root: dict[str, Any] = _admin_shape(raw)

    defs["LocalText"] = _text_schema()
    help_group = defs.pop("Help")
    help_group.pop("description", None)
    help_group["properties"]["go"] |= _STEP_REF
    _describe("Help", help_group["properties"])
    defs["Help"] = {"anyOf": [dict(_STEP_REF), help_group]}

    for model in ("Step", "Choice", "Link", "Ask", "Condition", "FollowUp"):
        properties = defs[model].pop("properties")
        defs[model].pop("description", None)
        _describe(model, properties)
        defs[model]["properties"] = properties
    for model in ("Step", "Choice", "Condition", "FollowUp"):
        defs[model]["properties"]["go"] |= _STEP_REF
    defs["Step"]["properties"]["flow"] |= {"pattern": _ID}
    # A step's job decides what else it needs (the loader says so too, with the line).
    defs["Step"]["dependentRequired"] = {
        "choices": ["say"],
        "ask": ["say", "go"],
        "when": ["go"],
        "flow": ["go"],
        "with": ["flow"],
    }
    defs["Ask"]["properties"]["save_as"] |= {"pattern": _ID}
    for name in ("set", "remember"):
        defs["Choice"]["properties"][name]["propertyNames"] = {"pattern": _ID}
    defs["Step"]["properties"]["with"]["propertyNames"] = {"pattern": _ID}

    properties = root["properties"]
    properties["id"] |= {"pattern": _ID}
    properties["start"] |= _STEP_REF
    properties["steps"] |= {"propertyNames": {"pattern": _ID}, "minProperties": 1}
    properties["triggers"] = {
        "type": "object",
        "properties": {
            lang: {
                "type": "array",
                "items": {"type": _SCALAR, "minLength": 1},
                "description": _description("Triggers", lang),
            }
            for lang in ("vi", "en")
        },
        "required": ["vi"],
        "additionalProperties": False,
    }
    _describe("Flow", properties)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Trợ lý số: luồng hội thoại · conversation flow",
        "description": "Một tệp luồng trong flows/ (xem docs/flows.md). · "
        "A flow file in flows/ (see docs/flows.md).",
        "type": "object",
        "properties": properties,
        "required": root["required"],
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as written to docs/flow.schema.json: stable, readable, ending in a newline."""
    return json.dumps(flow_schema(), ensure_ascii=False, indent=2) + "\n"
