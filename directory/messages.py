"""The two messages the gateway can send without Rasa: the safety answer and "the assistant is down".

Both are built from the directory, so the numbers follow the profile: this line ("call us") and,
always, the police and the national 111 line.
"""
from __future__ import annotations

from directory.model import Directory

# First line of the safety answer: the gateway checks for it so it is never sent twice.
SAFETY_OPENING = "Mình đã nhận được tin của bạn và sẽ giúp bạn ngay."


def call_lines(directory: Directory) -> str:
    """"gọi Tổng đài quốc gia 111 (…)" or, for a provincial line, "gọi Tổng đài 18001769 … hoặc Tổng đài quốc gia 111 (…)"."""
    return f"gọi {directory.hotlines()}"


def safety_message(directory: Directory, abroad: bool = False) -> str:
    """What to do right now when someone is in danger (Vietnamese, with diacritics)."""
    police = directory.get("police")
    lines = [
        f"{SAFETY_OPENING} Nếu bạn đang gặp nguy hiểm:",
        f"1. Nếu gọi được, hãy gọi ngay công an {police.phone}.",
        f"2. Hoặc {call_lines(directory)}.",
    ]
    if abroad:
        lines.append(
            f"3. Bạn đang ở nước ngoài: hãy tìm cách liên hệ {directory.get('embassy').name}, "
            "hoặc công an nước sở tại."
        )
    lines.append(
        "Nếu an toàn để nhắn tiếp, hãy cho mình biết: bạn đang ở đâu (quốc gia, địa chỉ, tên nơi hoặc cảnh vật "
        "xung quanh), có mấy người bị giữ, và cách liên lạc lại với bạn. Nếu sợ bị kiểm tra điện thoại, hãy xóa "
        "tin nhắn sau khi gửi."
    )
    return "\n".join(lines)


def unavailable_message(directory: Directory) -> str:
    """Said when the assistant cannot answer (Rasa down): where to get help now."""
    return (
        "Xin lỗi, trợ lý tự động đang tạm gián đoạn. Bạn vui lòng nhắn lại sau ít phút, hoặc "
        f"{call_lines(directory)}. Nếu bạn hoặc ai đó đang gặp nguy hiểm, hãy gọi ngay công an "
        f"{directory.get('police').phone}."
    )
