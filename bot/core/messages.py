"""What each flow problem means, in the admin's words, in Vietnamese and English.

Every message says what is wrong and what to do. ``{name}`` fields come from the problem's params.
"""

from __future__ import annotations

from typing import Any

from bot.core.admin_messages import ADMIN_MESSAGES
from bot.core.errors import ConfigError, TroLySoError
from bot.core.reading_messages import READING_MESSAGES

__all__ = ["MESSAGES", "describe", "explain_error"]

MESSAGES: dict[str, dict[str, str]] = {
    "severity.error": {"en": "error", "vi": "lỗi"},
    "severity.warning": {"en": "warning", "vi": "cảnh báo"},
    "at_step": {"en": "[step {step}]", "vi": "[bước {step}]"},
    "schema.not_mapping": {
        "en": "a flow file must be a list of fields such as 'id:', 'title:', 'steps:'. Copy an existing flow.",
        "vi": "tệp luồng phải gồm các mục như 'id:', 'title:', 'steps:'. Hãy sao chép một luồng có sẵn.",
    },
    "schema.missing": {
        "en": "'{field}' is missing here. Add it (see docs/flows.md).",
        "vi": "thiếu mục '{field}' ở đây. Hãy thêm vào (xem docs/flows.md).",
    },
    "schema.unknown_field": {
        "en": "'{field}' is not a field of the flow format.{hint} Allowed here: {allowed}.",
        "vi": "'{field}' không phải là mục của định dạng luồng.{hint} Được dùng ở đây: {allowed}.",
    },
    "schema.hint": {"en": " Did you mean '{name}'?", "vi": " Có phải ý bạn là '{name}'?"},
    "schema.wrong_type": {
        "en": "'{field}' should be {expected}.",
        "vi": "'{field}' phải là {expected}.",
    },
    "type.text": {"en": "a text", "vi": "một đoạn chữ"},
    "type.number": {"en": "a whole number", "vi": "một số nguyên"},
    "type.list": {
        "en": "a list (lines starting with '- ')",
        "vi": "một danh sách (các dòng bắt đầu bằng '- ')",
    },
    "type.mapping": {"en": "a group of fields", "vi": "một nhóm mục"},
    "type.yes_no": {"en": "true or false", "vi": "true hoặc false"},
    "type.date": {"en": "a date written YYYY-MM-DD", "vi": "một ngày dạng YYYY-MM-DD"},
    "schema.choice_value": {
        "en": "'{field}' must be one of: {allowed}.",
        "vi": "'{field}' phải là một trong: {allowed}.",
    },
    "schema.too_small": {
        "en": "'{field}' must be at least {limit}.",
        "vi": "'{field}' phải ít nhất là {limit}.",
    },
    "schema.empty_list": {
        "en": "'{field}' must not be empty.",
        "vi": "'{field}' không được để trống.",
    },
    "schema.bad_id": {
        "en": "the {what} id '{value}' may only use a-z, 0-9 and _, start with a letter, and be at most 40 characters.",
        "vi": "mã {what} '{value}' chỉ được dùng a-z, 0-9 và _, bắt đầu bằng chữ cái, tối đa 40 ký tự.",
    },
    "id_kind.step": {"en": "step", "vi": "bước"},
    "id_kind.flow": {"en": "flow", "vi": "luồng"},
    "id_kind.variable": {"en": "variable", "vi": "biến"},
    "schema.bad_language": {
        "en": "'{value}' is not a language of the bot. Use one of: {allowed}.",
        "vi": "'{value}' không phải ngôn ngữ của bot. Dùng một trong: {allowed}.",
    },
    "schema.not_text": {
        "en": "this should be a text, or texts per language (vi:, en:).",
        "vi": "chỗ này phải là một đoạn chữ, hoặc chữ theo từng ngôn ngữ (vi:, en:).",
    },
    "schema.no_vietnamese": {
        "en": "the Vietnamese text (vi:) is missing. Vietnamese is the source language: add it.",
        "vi": "thiếu nội dung tiếng Việt (vi:). Tiếng Việt là ngôn ngữ gốc: hãy thêm vào.",
    },
    "schema.empty_trigger": {
        "en": "a trigger phrase is empty. Remove it or write the words.",
        "vi": "có cụm từ kích hoạt bị trống. Hãy xóa hoặc viết nội dung.",
    },
    "schema.bad_url": {
        "en": "'{value}' is not a web address. Write it in full, starting with https://",
        "vi": "'{value}' không phải địa chỉ web. Hãy viết đầy đủ, bắt đầu bằng https://",
    },
    "schema.option_needs_type": {
        "en": "'{option}' only works with 'type: {type}'.",
        "vi": "'{option}' chỉ dùng được với 'type: {type}'.",
    },
    "schema.pattern_missing": {
        "en": "'type: pattern' needs a 'pattern:' (a regular expression).",
        "vi": "'type: pattern' cần có 'pattern:' (một biểu thức chính quy).",
    },
    "schema.min_over_max": {
        "en": "'min' ({min}) is larger than 'max' ({max}).",
        "vi": "'min' ({min}) lớn hơn 'max' ({max}).",
    },
    "schema.two_jobs": {
        "en": "a step does one thing, but this one has {jobs}. Split it into two steps.",
        "vi": "mỗi bước chỉ làm một việc, bước này có {jobs}. Hãy tách thành hai bước.",
    },
    "schema.no_job": {
        "en": "this step does nothing. Give it 'say' and 'go', 'choices', 'ask', 'end', 'when' or 'flow'.",
        "vi": "bước này không làm gì. Hãy thêm 'say' và 'go', 'choices', 'ask', 'end', 'when' hoặc 'flow'.",
    },
    "schema.empty_choices": {
        "en": "'choices' is empty. Add at least one button.",
        "vi": "'choices' đang trống. Hãy thêm ít nhất một nút.",
    },
    "schema.empty_when": {
        "en": "'when' is empty. Add at least one '- if: ... go: ...'.",
        "vi": "'when' đang trống. Hãy thêm ít nhất một '- if: ... go: ...'.",
    },
    "schema.say_required": {
        "en": "a step with '{kind}' needs a 'say:' text to show with it.",
        "vi": "bước có '{kind}' cần có nội dung 'say:' đi kèm.",
    },
    "schema.say_not_allowed": {
        "en": "a '{kind}' step only decides where to go; move 'say', 'image' and 'link' to the next step.",
        "vi": "bước '{kind}' chỉ quyết định đi đâu; hãy chuyển 'say', 'image', 'link' sang bước sau.",
    },
    "schema.button_needs_go": {
        "en": "the button '{label}' has no 'go:' (the step it leads to). Add a line 'go: STEP_ID' under its 'label:'.",
        "vi": "nút '{label}' thiếu 'go:' (bước tiếp theo khi bấm nút). Hãy thêm dòng 'go: mã_bước' ngay dưới 'label:' của nút.",
    },
    "schema.go_required": {
        "en": "a '{kind}' step needs 'go:' (the step that comes next).",
        "vi": "bước '{kind}' cần có 'go:' (bước tiếp theo).",
    },
    "schema.go_not_allowed": {
        "en": "a '{kind}' step cannot have 'go:' ({kind} decides what comes next). Remove 'go:'.",
        "vi": "bước '{kind}' không dùng 'go:' ({kind} tự quyết định bước sau). Hãy xóa 'go:'.",
    },
    "schema.bad_duration": {
        "en": "'{value}' is not a duration. Write a number and a unit, for example '2 hours', '1 day', '30 minutes' (or '2 giờ', '1 ngày', '30 phút').",
        "vi": "'{value}' không phải một khoảng thời gian. Hãy viết số và đơn vị, ví dụ '2 giờ', '1 ngày', '30 phút' (hoặc '2 hours', '1 day').",
    },
    "schema.follow_up_needs_wait": {
        "en": "'follow_up' only works on a step that waits (with 'choices' or 'ask'): the resident must be waiting there.",
        "vi": "'follow_up' chỉ dùng cho bước có chờ người dân ('choices' hoặc 'ask'): người dân phải đang dừng ở bước đó.",
    },
    "schema.help_needs_wait": {
        "en": "'help' only works on a step that waits (with 'choices' or 'ask').",
        "vi": "'help' chỉ dùng cho bước có chờ người dân ('choices' hoặc 'ask').",
    },
    "schema.with_needs_flow": {
        "en": "'with' gives answers to another flow, so it only works on a step with 'flow:'. Move it to the step that runs the sub-flow, or remove it.",
        "vi": "'with' trao câu trả lời cho một luồng khác, nên chỉ dùng ở bước có 'flow:'. Hãy chuyển nó sang bước chạy luồng con, hoặc xóa đi.",
    },
    "schema.skip_needs_question": {
        "en": "'skip_if_known' only works on a question (a step with 'choices' or 'ask'): it skips the question when the calling flow already gave its answer with 'with:'.",
        "vi": "'skip_if_known' chỉ dùng cho câu hỏi (bước có 'choices' hoặc 'ask'): nó bỏ qua câu hỏi khi luồng gọi đã trao câu trả lời bằng 'with:'.",
    },
    "schema.skip_sensitive": {
        "en": "'{name}' is a sensitive answer that is never stored, so no flow can give it. Remove 'skip_if_known' from this step.",
        "vi": "'{name}' là câu trả lời nhạy cảm không được lưu, nên không luồng nào trao được. Hãy xóa 'skip_if_known' khỏi bước này.",
    },
    "schema.value": {"en": "{detail}", "vi": "{detail}"},
    # The logic of a flow
    "flow.duplicate_id": {
        "en": "the flow id '{id}' is already used by {other}. Give each flow its own id.",
        "vi": "mã luồng '{id}' đã được dùng ở {other}. Mỗi luồng cần một mã riêng.",
    },
    "flow.unknown_step": {
        "en": "there is no step '{target}' in this flow.{hint}",
        "vi": "không có bước '{target}' trong luồng này.{hint}",
    },
    "flow.unknown_flow": {
        "en": "there is no flow '{target}'.{hint}",
        "vi": "không có luồng '{target}'.{hint}",
    },
    "flow.subflow_cycle": {
        "en": "flows call each other in a circle: {cycle}. Break the circle.",
        "vi": "các luồng gọi nhau vòng tròn: {cycle}. Hãy bỏ vòng lặp này.",
    },
    "flow.with_unused_name": {
        "en": "the flow '{target}' never uses '{name}', so giving it here changes nothing.{hint} Names '{target}' uses: {known}.",
        "vi": "luồng '{target}' không dùng tên '{name}', nên trao nó ở đây không có tác dụng.{hint} Các tên luồng '{target}' dùng: {known}.",
    },
    "flow.with_unknown_answer": {
        "en": "'{value}' is not an answer of the question '{question}' in '{target}' ({where}), so the resident would be asked again. Its buttons give {name}: {allowed}.",
        "vi": "'{value}' không phải một câu trả lời của câu hỏi '{question}' trong luồng '{target}' ({where}), nên người dân vẫn bị hỏi lại. Các nút ở đó cho {name}: {allowed}.",
    },
    "flow.skip_without_set": {
        "en": "'skip_if_known' must know which button an answer means, but no button of this step has 'set:'. Add 'set:' to the buttons, e.g. set: {{ has_sms: \"yes\" }}.",
        "vi": "'skip_if_known' cần biết câu trả lời ứng với nút nào, nhưng không nút nào của bước này có 'set:'. Hãy thêm 'set:' cho các nút, ví dụ set: {{ has_sms: \"yes\" }}.",
    },
    "flow.unreachable": {
        "en": "no path leads to this step. Add a 'go:' to it, or delete it.",
        "vi": "không có đường nào dẫn đến bước này. Thêm 'go:' trỏ đến nó, hoặc xóa bước.",
    },
    "flow.dead_end": {
        "en": "from this step there is no way to any 'end:'. Give the resident a way to finish.",
        "vi": "từ bước này không có đường đến 'end:' nào. Hãy cho người dân một đường để kết thúc.",
    },
    "flow.loop_without_wait": {
        "en": "steps lead to each other without waiting for the resident ({cycle}). Add a step with buttons in the loop.",
        "vi": "các bước dẫn vòng mà không chờ người dân ({cycle}). Hãy thêm một bước có nút bấm trong vòng.",
    },
    "flow.missing_translation": {
        "en": "the {language} text is missing; residents who chose {language} will see the Vietnamese text. Add '{lang}:'.",
        "vi": "thiếu bản {language}; người chọn {language} sẽ thấy bản tiếng Việt. Hãy thêm '{lang}:'.",
    },
    "flow.template_syntax": {
        "en": "the template in this text is broken ({detail}). Check the {{{{ }}}} and {{% %}} pairs.",
        "vi": "mẫu trong đoạn chữ bị lỗi ({detail}). Kiểm tra các cặp {{{{ }}}} và {{% %}}.",
    },
    "template.missing_brace": {
        "en": "a '}}' is missing: a name needs two braces on each side, {{{{ name }}}}",
        "vi": "thiếu một dấu '}}': hai bên tên phải có hai dấu ngoặc, {{{{ tên }}}}",
    },
    "template.not_closed": {
        "en": "a '{{{{' or '{{%' is not closed: end it with '}}}}', and an '{{% if %}}' with '{{% endif %}}'",
        "vi": "có '{{{{' hoặc '{{%' chưa được đóng: hãy đóng bằng '}}}}', và '{{% if %}}' bằng '{{% endif %}}'",
    },
    "template.cut_short": {
        "en": "it is not finished: something is missing at its end",
        "vi": "chưa viết hết: còn thiếu phần cuối",
    },
    "template.unknown_filter": {
        "en": "the word after '|' is not a known filter, such as capitalize, upper or lower",
        "vi": "chữ sau dấu '|' không phải bộ lọc có sẵn, ví dụ capitalize, upper, lower",
    },
    "template.two_words": {
        "en": "two words inside {{{{ }}}} with no '|' between them",
        "vi": "có hai chữ trong {{{{ }}}} mà không có dấu '|' ở giữa",
    },
    "template.extra_words": {
        "en": "something follows that does not belong; compare with ==, !=, >= or <=",
        "vi": "có phần thừa phía sau; hãy so sánh bằng ==, !=, >= hoặc <=",
    },
    "template.unknown_tag": {
        "en": "this {{% ... %}} cannot be used here: is it an '{{% endif %}}' without its '{{% if %}}'?",
        "vi": "thẻ {{% ... %}} này không dùng được ở đây: có phải có '{{% endif %}}' mà thiếu '{{% if %}}'?",
    },
    "flow.unknown_variable": {
        "en": "'{name}' is used in a template but no step saves it. Known names: {known}.",
        "vi": "'{name}' được dùng trong mẫu nhưng không bước nào lưu nó. Các tên đã có: {known}.",
    },
    "flow.sensitive_in_template": {
        "en": "'{name}' is a sensitive answer that is never stored, so it cannot be shown. Remove it from the text.",
        "vi": "'{name}' là câu trả lời nhạy cảm không được lưu, nên không thể hiển thị. Hãy xóa khỏi đoạn chữ.",
    },
    "flow.condition_syntax": {
        "en": "the condition '{expr}' cannot be read ({detail}). Example: age >= 60 and phone == \"iphone\"",
        "vi": "không đọc được điều kiện '{expr}' ({detail}). Ví dụ: age >= 60 and phone == \"iphone\"",
    },
    "flow.bad_pattern": {
        "en": "the pattern '{pattern}' is not a valid regular expression ({detail}).",
        "vi": "mẫu '{pattern}' không phải biểu thức chính quy hợp lệ ({detail}).",
    },
    "flow.image_missing": {
        "en": "the image file '{image}' does not exist (looked in {where}). Check the name or add the file.",
        "vi": "không có tệp ảnh '{image}' (đã tìm ở {where}). Kiểm tra tên hoặc thêm tệp.",
    },
    "flow.image_not_https": {
        "en": "the picture address '{image}' is not secure (http://). Use its https:// address, or save the picture beside the flow file and write its file name.",
        "vi": "địa chỉ ảnh '{image}' không an toàn (http://). Hãy dùng địa chỉ https://, hoặc lưu ảnh cạnh tệp luồng và ghi tên tệp.",
    },
    "flow.label_too_long": {
        "en": "this button text is {length} characters long; a phone shows about {limit} on a Telegram button and cuts the rest. Shorten it to {limit} characters or fewer.",
        "vi": "chữ trên nút dài {length} ký tự; điện thoại chỉ hiện khoảng {limit} ký tự trên nút Telegram và cắt phần còn lại. Hãy rút gọn còn tối đa {limit} ký tự.",
    },
    "flow.too_many_choices": {
        "en": "this step has {count} buttons; more than {limit} do not fit on a phone screen. Split the question into two steps.",
        "vi": "bước này có {count} nút; hơn {limit} nút thì không vừa màn hình điện thoại. Hãy tách câu hỏi thành hai bước.",
    },
    "flow.text_too_long": {
        "en": "this text is {length} characters long; a Telegram message holds at most {limit}. Shorten it or split it over two steps.",
        "vi": "đoạn chữ dài {length} ký tự; một tin nhắn Telegram chứa tối đa {limit} ký tự. Hãy rút gọn hoặc tách sang hai bước.",
    },
    "flow.caption_too_long": {
        "en": "this text is {length} characters long, but shown under a picture Telegram allows at most {limit}. Shorten it, or move the picture to a step of its own.",
        "vi": "đoạn chữ dài {length} ký tự, nhưng khi đi kèm ảnh Telegram chỉ cho tối đa {limit} ký tự. Hãy rút gọn, hoặc đưa ảnh sang một bước riêng.",
    },
    "flow.shared_trigger": {
        "en": "the trigger phrase '{phrase}' is also a trigger of the flow '{other}' ({where}); a resident who types it may land in either. Keep it in one flow.",
        "vi": "cụm từ kích hoạt '{phrase}' cũng là từ kích hoạt của luồng '{other}' ({where}); người dân gõ cụm này có thể vào nhầm luồng. Chỉ giữ nó ở một luồng.",
    },
    "flow.maybe_unset": {
        "en": "'{name}' may not be saved yet here: on the way {path} no step saves it, so it shows as empty (and a condition on it is false). Save it on every way to this step, or use it only after the step that saves it.",
        "vi": "'{name}' có thể chưa được lưu ở đây: theo đường {path} chưa bước nào lưu nó, nên sẽ hiện trống (và điều kiện với nó là sai). Hãy lưu nó trên mọi đường tới bước này, hoặc chỉ dùng sau bước lưu nó.",
    },
    "flow.checked_in_future": {
        "en": "'checked: {checked}' is a day that has not come yet. Write the day someone last checked the facts against the real app (today at the latest).",
        "vi": "'checked: {checked}' là một ngày chưa tới. Hãy ghi ngày gần nhất có người đối chiếu nội dung với ứng dụng thật (muộn nhất là hôm nay).",
    },
    "flow.no_flows": {
        "en": "there are no flow files (*.yaml) in {where}.",
        "vi": "không có tệp luồng (*.yaml) nào trong {where}.",
    },
    # A running flow that failed (the resident was taken to the main menu)
    "runtime.heading": {
        "en": "⚠️ A guide failed while a resident was using it; they were taken to the main menu:",
        "vi": "⚠️ Một hướng dẫn bị lỗi khi người dân đang dùng; họ đã được đưa về menu chính:",
    },
    "runtime.missing_step": {
        "en": "the step '{detail}' is not in the flow as loaded. Check the 'go:' that leads there, run 'trolyso lint', and save the file again.",
        "vi": "luồng đang chạy không có bước '{detail}'. Hãy kiểm tra 'go:' dẫn tới bước đó, chạy 'trolyso lint' rồi lưu lại tệp.",
    },
    "runtime.missing_flow": {
        "en": "the flow '{detail}' is not loaded (was its file deleted or renamed?). Put it back, or change the step that calls it.",
        "vi": "không có luồng '{detail}' (tệp đã bị xóa hoặc đổi tên?). Hãy đặt lại tệp, hoặc sửa bước gọi tới luồng đó.",
    },
    "runtime.template": {
        "en": "the text of this step could not be made ({detail}). Check its {{{{ }}}} parts and try it with 'trolyso chat'.",
        "vi": "không tạo được câu chữ của bước này ({detail}). Hãy kiểm tra các phần {{{{ }}}} và thử lại bằng 'trolyso chat'.",
    },
    "runtime.loop": {
        "en": "the flow went round without waiting for the resident ({detail}). Make one step on the loop wait for an answer.",
        "vi": "luồng chạy vòng mà không dừng chờ người dân ({detail}). Hãy cho một bước trong vòng đó chờ câu trả lời.",
    },
    # locales/smalltalk.yaml
    "smalltalk.not_mapping": {
        "en": "this file needs the sections greeting:, thanks: and filler:. Copy them from the shipped locales/smalltalk.yaml.",
        "vi": "tệp này cần các mục greeting:, thanks: và filler:. Hãy chép từ tệp locales/smalltalk.yaml có sẵn.",
    },
    "smalltalk.section": {
        "en": "'{section}:' must list phrases per language, like vi: [xin chào, chào bạn] and en: [hello, hi].",
        "vi": "'{section}:' phải liệt kê cụm từ theo từng ngôn ngữ, ví dụ vi: [xin chào, chào bạn] và en: [hello, hi].",
    },
    # Locales
    "locale.missing_key": {
        "en": "the text '{key}' is missing; the bot needs it. Add it (copy it from {example}).",
        "vi": "thiếu nội dung '{key}'; bot cần nội dung này. Hãy thêm vào (chép từ {example}).",
    },
    "locale.missing_translation": {
        "en": "'{key}' has no {language} text; the Vietnamese text will be shown. Add it.",
        "vi": "'{key}' chưa có bản {language}; bot sẽ hiện bản tiếng Việt. Hãy thêm vào.",
    },
    "locale.unknown_key": {
        "en": "'{key}' is not used by the bot. Check the spelling or remove it.",
        "vi": "'{key}' không được bot dùng. Kiểm tra chính tả hoặc xóa đi.",
    },
    "locale.not_text": {
        "en": "'{key}' should be a text.",
        "vi": "'{key}' phải là một đoạn chữ.",
    },
    "language.vi": {"en": "Vietnamese", "vi": "tiếng Việt"},
    "language.en": {"en": "English", "vi": "tiếng Anh"},
    "locale.missing_file": {
        "en": "the locale file for '{lang}' is missing ({where}).",
        "vi": "thiếu tệp ngôn ngữ cho '{lang}' ({where}).",
    },
}


# Reading files and YAML, and the admin commands (test, graph, schema), keep their sentences in
# sibling catalogs; one lookup finds them all.
MESSAGES.update(READING_MESSAGES)
MESSAGES.update(ADMIN_MESSAGES)


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def describe(code: str, params: dict[str, Any], lang: str = "en") -> str:
    """The message for ``code`` in ``lang`` (English when missing), filled with ``params``."""
    entry = MESSAGES.get(code)
    if entry is None:
        return f"{code} {params}" if params else code
    template = entry.get(lang) or entry["en"]
    filled = _Params(params)
    # Some params are themselves message codes (a type's name) or a "did you mean" suggestion:
    # put them in the same language as the message.
    for key, value in params.items():
        if key.endswith("_code"):
            filled[key[: -len("_code")]] = describe(str(value), {}, lang)
    if "lang" in params and "language" not in params:  # a language's name, not its code
        filled["language"] = describe(f"language.{params['lang']}", {}, lang)
    if "suggestion" in params:
        name = params["suggestion"]
        filled["hint"] = describe("schema.hint", {"name": name}, lang) if name else ""
    return template.format_map(filled)


def explain_error(exc: TroLySoError, lang: str) -> str:
    """What stopped the command, in the admin's language (English for an error without a code)."""
    if not exc.code:
        return str(exc)
    text = describe(exc.code, exc.params, lang)
    if isinstance(exc, ConfigError):
        setting = (
            describe("error.config_line", {"line": exc.line}, lang) if exc.line else exc.setting
        )
        source = describe("error.defaults", {}, lang) if exc.source.startswith("(") else exc.source
        return describe(
            "error.config", {"source": source, "setting": setting, "problem": text}, lang
        )
    return text
