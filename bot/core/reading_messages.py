"""What is wrong with a file an admin wrote, before its content is read: the file and its YAML.

A sibling of ``bot.core.messages``, merged into its catalog, so ``describe`` and
``Problem.render`` find these codes too. Every message says what is wrong and what to do, in
Vietnamese and English.
"""

from __future__ import annotations

__all__ = ["READING_MESSAGES"]

READING_MESSAGES: dict[str, dict[str, str]] = {
    # Reading the file
    "file.too_big": {
        "en": "the file is {size_kb} KB; a flow file must be under {max_kb} KB. Split it into smaller flows.",
        "vi": "tệp nặng {size_kb} KB; tệp luồng phải nhỏ hơn {max_kb} KB. Hãy tách thành các luồng nhỏ hơn.",
    },
    "file.unreadable": {
        "en": "the file cannot be read ({detail}). Check that it exists and that you may read it.",
        "vi": "không đọc được tệp ({detail}). Kiểm tra tệp có tồn tại và có quyền đọc.",
    },
    "file.not_found": {
        "en": "there is no such file or folder. Check the name and the folder.",
        "vi": "không có tệp hay thư mục này. Hãy kiểm tra lại tên và thư mục.",
    },
    "file.no_permission": {
        "en": "you may not read this file. Ask whoever manages the computer to let you read it.",
        "vi": "không có quyền đọc tệp này. Hãy nhờ người quản lý máy tính cấp quyền đọc.",
    },
    "file.not_utf8": {
        "en": "the file is not saved as UTF-8 (byte {byte} here). Save it again as UTF-8 in your editor.",
        "vi": "tệp không được lưu dạng UTF-8 (mã {byte} ở đây). Hãy lưu lại tệp với mã hóa UTF-8.",
    },
    "file.empty": {
        "en": "the file is empty. Copy an existing flow as a starting point.",
        "vi": "tệp đang trống. Hãy sao chép một luồng có sẵn để bắt đầu.",
    },
    # YAML syntax
    "yaml.alias": {
        "en": "anchors and aliases (& and *) are not allowed in flows. Write the text out in full.",
        "vi": "không dùng neo và bí danh (& và *) trong luồng. Hãy viết đầy đủ nội dung.",
    },
    "yaml.too_deep": {
        "en": "the file is nested more than {max} levels deep. Check the indentation.",
        "vi": "tệp lồng nhau quá {max} cấp. Hãy kiểm tra việc thụt lề.",
    },
    "yaml.tab": {
        "en": "there is a tab character here. YAML needs spaces for indentation: replace the tab with spaces.",
        "vi": "có ký tự tab ở đây. YAML cần thụt lề bằng dấu cách: hãy thay tab bằng dấu cách.",
    },
    "yaml.colon_in_text": {
        "en": "a ':' inside a text, or a wrong indentation. If the text contains ': ', put the whole text in double quotes.",
        "vi": "có dấu ':' trong câu chữ, hoặc thụt lề sai. Nếu câu có ': ', hãy đặt cả câu trong dấu ngoặc kép.",
    },
    "yaml.missing_colon": {
        "en": "a line here is missing its ':' or is indented wrongly. Check the line and the one above.",
        "vi": "dòng này thiếu dấu ':' hoặc thụt lề sai. Hãy kiểm tra dòng này và dòng phía trên.",
    },
    "yaml.unclosed_quote": {
        "en": "a quoted text is not closed. Add the closing quote (\" or ').",
        "vi": "câu trong ngoặc kép chưa được đóng. Hãy thêm dấu ngoặc đóng (\" hoặc ').",
    },
    "yaml.control_char": {
        "en": "an invisible control character ({code}) is here, often pasted from another program. Delete it and type the text again.",
        "vi": "có ký tự điều khiển vô hình ({code}) ở đây, thường do dán từ chương trình khác. Hãy xóa và gõ lại đoạn chữ.",
    },
    "yaml.flow_mapping": {
        "en": "inside {{ ... }} a text with '?', ',', ':', '{{' or '}}' must be in double quotes. Add quotes around that text.",
        "vi": "trong {{ ... }}, câu có '?', ',', ':', '{{' hoặc '}}' phải đặt trong ngoặc kép. Hãy thêm ngoặc kép cho câu đó.",
    },
    "yaml.flow_sequence": {
        "en": "inside [ ... ] a text with ',', ':', '[' or ']' must be in double quotes. Add quotes around that text.",
        "vi": "trong [ ... ], câu có ',', ':', '[' hoặc ']' phải đặt trong ngoặc kép. Hãy thêm ngoặc kép cho câu đó.",
    },
    "yaml.bad_indent": {
        "en": "the indentation is wrong here. Line fields up under the one they belong to, with spaces.",
        "vi": "thụt lề sai ở đây. Hãy căn các mục thẳng hàng bằng dấu cách.",
    },
    "yaml.tag": {
        "en": "YAML tags such as '!!python/...' or '!something' are not allowed in flows. Remove the tag.",
        "vi": "không dùng thẻ YAML như '!!python/...' hay '!gì_đó' trong luồng. Hãy xóa thẻ đó.",
    },
    "yaml.syntax": {
        "en": "this is not valid YAML ({detail}). Check the indentation, the colons and the quotes on this line and the one above.",
        "vi": "chỗ này viết chưa đúng quy tắc YAML của tệp luồng. Hãy kiểm tra thụt lề, dấu ':' và dấu ngoặc kép ở dòng này và dòng phía trên.",
    },
    "yaml.template_unquoted": {
        "en": "a text that starts with '{{{{' must be in double quotes, or it is read as a group of fields. Put the whole text in quotes, for example: vi: \"{{{{ xung_ho | capitalize }}}} ơi, ...\"",
        "vi": "câu bắt đầu bằng '{{{{' phải đặt trong ngoặc kép, nếu không sẽ bị hiểu nhầm là một nhóm mục. Hãy đặt cả câu trong ngoặc kép, ví dụ: vi: \"{{{{ xung_ho | capitalize }}}} ơi, ...\"",
    },
    "yaml.text_after_closing": {
        "en": 'the text goes on after a closing quote or bracket. Put the whole text in double quotes (inside them, write a " as \\").',
        "vi": 'câu chữ vẫn tiếp tục sau dấu ngoặc đóng. Hãy đặt cả câu trong một cặp ngoặc kép (bên trong, viết dấu " thành \\").',
    },
    "yaml.bad_start": {
        "en": "a text cannot start with '{char}' unless it is in quotes. Put the whole text in double quotes.",
        "vi": "câu chữ không được bắt đầu bằng '{char}' nếu không có ngoặc kép. Hãy đặt cả câu trong ngoặc kép.",
    },
    "yaml.bad_escape": {
        "en": "inside double quotes a backslash starts a special sign, and '\\{char}' is not one. Put this text in single quotes instead (for example pattern: '\\d+'), or write the backslash twice.",
        "vi": "trong ngoặc kép, dấu gạch chéo ngược bắt đầu một ký hiệu đặc biệt, và '\\{char}' không phải ký hiệu đó. Hãy đặt câu trong ngoặc đơn (ví dụ pattern: '\\d+'), hoặc viết dấu gạch chéo ngược hai lần.",
    },
    "yaml.block_indicator": {
        "en": "nothing may follow '|' or '>' on its line. Start the text on the next line, indented under the field.",
        "vi": "sau dấu '|' hoặc '>' không được viết gì trên cùng dòng. Hãy bắt đầu câu ở dòng dưới, thụt lề vào trong.",
    },
    "yaml.two_documents": {
        "en": "the file holds more than one document ('---'). Put one flow in each file.",
        "vi": "tệp có nhiều hơn một phần ('---'). Mỗi tệp chỉ chứa một luồng.",
    },
    "yaml.bad_value": {
        "en": "the value '{value}' cannot be read. Fix it, or put it in double quotes if it is a text.",
        "vi": "không đọc được giá trị '{value}'. Hãy sửa lại, hoặc đặt trong ngoặc kép nếu đó là câu chữ.",
    },
    "yaml.impossible_date": {
        "en": "the date {value} is impossible: month {month} has {days} days. Write a real date (YYYY-MM-DD).",
        "vi": "ngày {value} không có thật: tháng {month} chỉ có {days} ngày. Hãy viết một ngày có thật (NĂM-THÁNG-NGÀY).",
    },
    "yaml.impossible_month": {
        "en": "the date {value} is impossible: there is no month {month} (months go from 01 to 12). Write a real date (YYYY-MM-DD).",
        "vi": "ngày {value} không có thật: không có tháng {month} (tháng chỉ từ 01 đến 12). Hãy viết một ngày có thật (NĂM-THÁNG-NGÀY).",
    },
    "yaml.complex_key": {
        "en": "a field name must be a simple word. Check this line.",
        "vi": "tên mục phải là một từ đơn giản. Kiểm tra dòng này.",
    },
    "yaml.duplicate_key": {
        "en": "'{key}' appears twice (first on line {first_line}). Rename or remove one of them.",
        "vi": "'{key}' xuất hiện hai lần (lần đầu ở dòng {first_line}). Đổi tên hoặc xóa một cái.",
    },
    # The shape of a flow
}
