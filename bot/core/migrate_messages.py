# ruff: noqa: E501  (a catalog of sentences reads better unbroken, as in admin_messages.py)
"""What ``trolyso migrate`` says (a commune's SQLite file copied into PostgreSQL), in Vietnamese
and English: a sibling of ``bot.core.admin_messages``, merged into the same catalog.

Every problem says what is wrong and what to do; a PostgreSQL URL is always shown without its
password (``{url}`` is what ``bot.storage.shown_url`` made of it).
"""

from __future__ import annotations

__all__ = ["MIGRATE_MESSAGES"]

MIGRATE_MESSAGES: dict[str, dict[str, str]] = {
    # Why nothing was copied
    "migrate.no_source": {
        "en": "there is no SQLite file at {path}. Check the setting 'database' in config.yaml, or name the file with --from FILE.",
        "vi": "không có tệp SQLite ở {path}. Hãy kiểm tra thiết lập 'database' trong config.yaml, hoặc chỉ đúng tệp bằng --from TỆP.",
    },
    "migrate.source_not_file": {
        "en": "the database to copy from, {url}, is a PostgreSQL database, not a SQLite file. Name the bot's SQLite file with --from FILE.",
        "vi": "cơ sở dữ liệu cần chép, {url}, là một cơ sở dữ liệu PostgreSQL, không phải tệp SQLite. Hãy chỉ tệp SQLite của bot bằng --from TỆP.",
    },
    "migrate.target_not_server": {
        "en": "--to must name a PostgreSQL database, such as postgresql://trolyso:PASSWORD@127.0.0.1:5432/trolyso (it is {value}).",
        "vi": "--to phải là một cơ sở dữ liệu PostgreSQL, ví dụ postgresql://trolyso:MẬT_KHẨU@127.0.0.1:5432/trolyso (đang là {value}).",
    },
    "migrate.source_locked": {
        "en": "the file {path} is open in another program, most likely the bot (trolyso run, trolyso web) still running on it. Stop the bot, wait until it has stopped, and run trolyso migrate again: a copy made while the bot writes would miss its last turns.",
        "vi": "tệp {path} đang được một chương trình khác mở, nhiều khả năng là bot (trolyso run, trolyso web) vẫn đang chạy với tệp này. Hãy dừng bot, chờ bot dừng hẳn rồi chạy lại trolyso migrate: bản chép trong lúc bot còn ghi sẽ thiếu những lượt cuối.",
    },
    "migrate.target_has_data": {
        "en": "the PostgreSQL database {url} already holds records that are not those of {path} (counts below), so nothing was copied. If that database is the one to use, leave it as it is; to replace everything in it with the file's records, run again with --force.",
        "vi": "cơ sở dữ liệu PostgreSQL {url} đã có dữ liệu không phải của tệp {path} (số liệu bên dưới), nên chưa chép gì. Nếu đó là cơ sở dữ liệu đang dùng thì hãy để nguyên; muốn thay toàn bộ dữ liệu trong đó bằng dữ liệu của tệp, hãy chạy lại với --force.",
    },
    "migrate.write_failed": {
        "en": "the PostgreSQL database {url} refused the copy of the table {table}: {detail}. Nothing was kept: the database is as it was before. Fix what the server says and run trolyso migrate again.",
        "vi": "cơ sở dữ liệu PostgreSQL {url} không nhận bản chép của bảng {table}: {detail}. Chưa có gì được giữ lại: cơ sở dữ liệu vẫn như trước. Hãy sửa điều máy chủ báo rồi chạy lại trolyso migrate.",
    },
    "migrate.verify_failed": {
        "en": "the copy of the table {table} in {url} does not match the file (file: {source} rows, PostgreSQL: {target} rows, or the same count with other values), so nothing was kept. Run trolyso migrate again; if it says this again, report it with TROLYSO_DEBUG=1.",
        "vi": "bản chép của bảng {table} trong {url} không khớp với tệp (tệp: {source} dòng, PostgreSQL: {target} dòng, hoặc cùng số dòng nhưng khác giá trị), nên chưa giữ lại gì. Hãy chạy lại trolyso migrate; nếu vẫn báo như vậy, hãy gửi báo cáo kèm kết quả khi chạy với TROLYSO_DEBUG=1.",
    },
    # What was done
    "migrate.copied": {
        "en": "Copied {path} into {url}, checked table by table:",
        "vi": "Đã chép {path} sang {url}, đã kiểm tra từng bảng:",
    },
    "migrate.replaced": {
        "en": "Copied {path} into {url}, replacing what it held before (--force), checked table by table:",
        "vi": "Đã chép {path} sang {url}, thay toàn bộ dữ liệu cũ trong đó (--force), đã kiểm tra từng bảng:",
    },
    "migrate.already": {
        "en": "Nothing to copy: {url} already holds exactly the records of {path} (copied before). Nothing was changed.",
        "vi": "Không có gì để chép: {url} đã có đúng dữ liệu của tệp {path} (đã chép từ trước). Không thay đổi gì.",
    },
    "migrate.total": {
        "en": "Total: {total} rows in {tables} tables.",
        "vi": "Tổng cộng: {total} dòng trong {tables} bảng.",
    },
    "migrate.next": {
        "en": "Now set database: {url} in config.yaml (or TROLYSO_DATABASE) and start the bot. The file {path} is left as it was: keep it as a backup.",
        "vi": "Bây giờ hãy đặt database: {url} trong config.yaml (hoặc TROLYSO_DATABASE) rồi khởi động bot. Tệp {path} vẫn giữ nguyên: hãy giữ lại làm bản sao lưu.",
    },
    "migrate.column.table": {"en": "table", "vi": "bảng"},
    "migrate.column.file": {"en": "in the file", "vi": "trong tệp"},
    "migrate.column.target": {"en": "in PostgreSQL", "vi": "trong PostgreSQL"},
    "migrate.progress": {
        "en": "{stage} {table}: {done} of {total} rows",
        "vi": "{stage} {table}: {done} trên {total} dòng",
    },
    "migrate.stage.check": {"en": "Comparing", "vi": "Đang so sánh"},
    "migrate.stage.copy": {"en": "Copying", "vi": "Đang chép"},
    "migrate.stage.verify": {"en": "Checking", "vi": "Đang kiểm tra"},
}
