"""What a counsellor records when closing a contact: its outcomes and the person's status."""

OUTCOMES = {
    "information": "Cung cấp thông tin",
    "counselling_psychological": "Tư vấn tâm lý",
    "counselling_policy": "Tư vấn chính sách, pháp luật",
    "counselling_services": "Tư vấn dịch vụ hỗ trợ",
    "referral_rescue": "Chuyển tuyến giải cứu",
    "referral_support": "Chuyển tuyến hỗ trợ",
    "no_counselling": "Không cần tư vấn (trả về bot)",
    # Set by a supervisor's "dismiss the burst as abuse" (handoff/bursts.py); not a contact received.
    "abusive": "Quấy rối, lạm dụng (bỏ qua)",
}
VICTIM_STATUS = {
    "confirmed": "Nạn nhân (đã xác định)",
    "suspected": "Nghi là nạn nhân",
    "not_victim": "Không phải nạn nhân",
    "unknown": "Chưa rõ",
}
# Closing with one of these keeps the case open for follow-up (handoff/claims.py, close): the
# person may still be confined, so the contact is not "ended" and no survey goes out.
FOLLOW_UP_OUTCOMES = {"referral_rescue", "referral_support"}
