"""The words the console page shows for the codes in the API's JSON, served by the API so the
page keeps no copy (``GET /api/quick-replies``): urgencies, channels, states, the urgency
detector's reason tags (data/lexicon/urgency.yml) and the triggers, transcript roles, outcomes,
victim status, referral kinds and statuses, the statistics' rows, the steps of a case."""
from __future__ import annotations

from typing import Any, Dict, List

from directory import Directory
from handoff.calls import call_lines
from handoff.framework import CASE_ROLES, CASE_STATUSES, indicators, labels
from handoff.outcomes import OUTCOMES, VICTIM_STATUS
from handoff.places import provinces
from handoff.referrals import STATUSES, partners

PRIORITIES = {"critical": "Khẩn cấp", "high": "Cao", "normal": "Thường"}
CHANNELS = {"web": "Web", "telegram": "Telegram", "zalo": "Zalo", "sms": "SMS", "messenger": "Messenger",
            "phone": "Điện thoại", "walk_in": "Gặp trực tiếp"}
STATES = {"queued": "đang chờ", "assigned": "đang tư vấn", "bot": "bot"}
REASONS = {
    "distress_call": "kêu cứu", "confinement": "bị giam giữ", "violence": "bạo lực",
    "sold_or_moved": "bị bán, bị đưa đi", "ransom": "đòi tiền chuộc", "forced_sex": "ép bán dâm",
    "forced_work": "ép làm việc", "documents_taken": "bị giữ giấy tờ", "threat": "bị đe dọa",
    "lost_contact": "mất liên lạc", "departure_soon": "sắp xuất cảnh", "illegal_crossing": "vượt biên trái phép",
    "acute_distress": "hoảng loạn", "unpaid_or_debt": "nợ, không được trả lương",
    "suspicious_offer": "lời mời đáng ngờ", "minor": "trẻ vị thành niên", "plea": "cầu xin giúp đỡ",
    "hypothetical": "hỏi giả định",
    "intent:urgent_rescue": "bot nhận ra tình huống khẩn cấp", "intent:report_missing": "báo người mất tích",
    "intent:human_request": "muốn gặp tư vấn viên", "misunderstood_twice": "bot hai lần không hiểu",
    "follow_up": "nhắn lại khi đang theo dõi chuyển tuyến",
}
TRIGGERS = {"urgency": "bộ phát hiện khẩn cấp", "nlu": "bot", "human_request": "người dùng yêu cầu",
            "misunderstood": "bot không hiểu", "follow_up": "theo dõi sau chuyển tuyến",
            "language": "viết bằng ngôn ngữ khác tiếng Việt"}
MESSAGE_ROLES = {"user": "Người dùng", "bot": "Bot", "counsellor": "Tư vấn viên", "note": "Ghi chú nội bộ",
                 "system": "Hệ thống"}
# The steps of a case shown in its transcript (handoff/events.py kinds; the others stay in the record).
EVENTS = {
    "queued": "vào hàng chờ", "priority_raised": "mức khẩn được nâng lên", "claimed": "nhận cuộc trò chuyện",
    "transferred": "chuyển cho tư vấn viên khác", "transferred_to_queue": "trả về hàng chờ",
    "taken_over": "giám sát viên tiếp quản", "reassigned": "được phân công lại",
    "ack_timeout": "trả về hàng chờ vì tư vấn viên chưa xác nhận kịp",
    "counsellor_lost": "trả về hàng chờ vì tư vấn viên mất kết nối",
    "critical_unclaimed": "cảnh báo: trường hợp khẩn cấp chưa có người nhận", "closed": "kết thúc liên hệ",
    "blocked": "hạn chế người gửi", "unblocked": "bỏ hạn chế người gửi",
    "referral_opened": "mở chuyển tuyến", "referral_updated": "cập nhật chuyển tuyến",
}
INDICATOR_GROUPS = {"means_of_control": "Cách kiểm soát nạn nhân", "means_of_recruitment": "Cách tuyển mộ, đưa đi"}
REFERRAL_KINDS = {"rescue": "Giải cứu", "support": "Hỗ trợ"}
REFERRAL_STATUSES = dict(zip(STATUSES, ("mới", "đã gửi", "đã tiếp nhận", "đã đóng")))
# The rows of the statistics panel, in order (the CSV's longer labels: handoff/stats.py).
STATISTICS: List[List[str]] = [
    ["contacts_received", "Số cuộc tiếp nhận"], ["information", "Cung cấp thông tin"],
    ["counselling_psychological", "Tư vấn tâm lý"], ["counselling_policy", "Tư vấn chính sách, pháp luật"],
    ["counselling_services", "Tư vấn dịch vụ hỗ trợ"], ["referral_rescue", "Chuyển tuyến giải cứu"],
    ["referral_support", "Chuyển tuyến hỗ trợ"], ["victims_supported", "Nạn nhân được hỗ trợ"],
    ["unanswered_critical", "Khẩn cấp chưa được nhận"]]
# How the page names the signed-in user's role beside their name.
ROLE_NAMES = {"supervisor": "giám sát viên", "counsellor": "tư vấn viên", "admin": "quản trị viên"}
# The audit log's actions as the admin page shows them (who wrote each: docs/supervisors.md).
AUDIT_ACTIONS = {
    "read_transcript": "Mở xem cuộc trò chuyện", "reveal_contact": "Xem thông tin liên hệ",
    "search": "Tìm kiếm cuộc trò chuyện", "export_stats": "Tải thống kê (CSV)",
    "export_case": "Xuất dữ liệu một trường hợp", "erase_case": "Xóa dữ liệu một trường hợp",
    "burst.dismiss": "Bỏ qua nhóm cuộc dồn dập", "retention": "Ẩn danh dữ liệu cũ (tự động)",
    "create_account": "Tạo tài khoản", "disable_account": "Khóa tài khoản",
    "enable_account": "Mở khóa tài khoản", "reset_password": "Đặt lại mật khẩu",
    "read_case": "Mở xem hồ sơ", "export_chi": "Tải báo cáo theo khung CHI",
    "export_cases": "Tải dữ liệu hồ sơ ẩn danh",
}
# A case's timeline steps (handoff/store/cases.py kinds).
CASE_EVENTS = {"opened": "mở hồ sơ", "contact_added": "thêm lần liên hệ", "note": "ghi chú",
               "person_added": "thêm người liên quan", "status": "đổi trạng thái", "task_added": "thêm việc cần làm",
               "task_done": "hoàn thành việc", "indicator": "cập nhật dấu hiệu"}


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, ROLE_NAMES["counsellor"])


def vocabulary(directory: Directory) -> Dict[str, Any]:
    """Every code the page shows, with its words; the referral partners of this line's directory."""
    return {"outcomes": OUTCOMES, "victim_status": VICTIM_STATUS, "partners": partners(directory),
            "priorities": PRIORITIES, "channels": CHANNELS, "states": STATES, "reasons": REASONS,
            "triggers": TRIGGERS, "roles": MESSAGE_ROLES, "referral_kinds": REFERRAL_KINDS,
            "referral_statuses": REFERRAL_STATUSES, "statistics": STATISTICS, "events": EVENTS,
            # issue 17: the close and log-call form, cases (docs/cases.md)
            "contact_types": labels("contact_types"), "categories": labels("categories"),
            "age_groups": labels("age_groups"), "sexes": labels("sexes"), "provinces": provinces(),
            "lines": call_lines(directory),
            "case_statuses": CASE_STATUSES, "case_roles": CASE_ROLES, "case_events": CASE_EVENTS,
            "indicators": [{"id": i.id, "label": i.label, "group": i.group} for i in indicators()],
            "indicator_groups": INDICATOR_GROUPS}
