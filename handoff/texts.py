"""What the user is told during a handoff (Vietnamese; channels may fold diacritics).

Numbers are written as directory placeholders ([[police.phone]], [[line.phone]], [[national.phone]]):
the handoff renders them for the deployment's profile (data/directory.yml) before a text is stored
or sent."""
from __future__ import annotations

import math
import re
from typing import Optional


CHANNEL_NAMES = {"web": "web chat", "telegram": "Telegram", "zalo": "Zalo", "sms": "SMS",
                 "messenger": "Messenger"}


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


# Chat channels (Telegram /start, Zalo follow) greet with this; both read text and shared locations.
GREETING = (
    "Xin chào, đây là kênh tư vấn phòng, chống mua bán người. Bạn có thể hỏi về đi làm việc ở nước ngoài an toàn, "
    "quyền lợi và hỗ trợ cho nạn nhân, hoặc nhờ gặp tư vấn viên. Thông tin của bạn được giữ bí mật. Nếu bạn hoặc "
    "ai đó đang gặp nguy hiểm, hãy nhắn ngay cho mình hoặc gọi công an [[police.phone]]."
)
NOT_TEXT = "Hiện mình chỉ đọc được tin nhắn chữ và vị trí bạn chia sẻ. Bạn hãy viết điều bạn cần nhé."

# It promises no more than the law gives: erasure has exceptions, and answers come within the legal
# time limits (the directory's data_rights fact, data/directory.yml).
PRIVACY_NOTICE = (
    "Những gì bạn nhắn chỉ được dùng để hỗ trợ bạn và cho thống kê của đường dây, được giữ bí mật theo "
    "[[data_law]]. [[data_rights.text]]"
)


def restricted(until: str) -> str:
    """Told to a sender blocked for abuse: never silently, and danger always gets through."""
    return (f"Tin nhắn của bạn đang tạm bị hạn chế đến {until} vì vi phạm quy định sử dụng đường dây. "
            "Nếu bạn hoặc ai đó đang gặp nguy hiểm, hãy nhắn ngay, tin khẩn cấp luôn được chuyển tới tư vấn "
            "viên, hoặc gọi công an [[police.phone]], [[hotlines]].")


def queued(priority: str, position: int, wait_s: Optional[float], online: int, overflow: bool) -> str:
    """Sent once when a conversation joins the queue: who is coming, place in line, honest wait."""
    if priority == "critical":
        lines = ["Mình đã chuyển tin của bạn tới tư vấn viên với mức ưu tiên khẩn cấp cao nhất."]
    else:
        lines = ["Mình đã chuyển bạn tới tư vấn viên, bạn sẽ được trả lời ngay tại cuộc trò chuyện này."]
    line = f"Bạn đang ở vị trí số {position} trong hàng chờ."
    if online == 0:
        line += " Lúc này chưa có tư vấn viên nào đang trực tuyến, nên mình chưa thể hẹn thời gian."
    elif wait_s is None:
        line += " Mình chưa có đủ số liệu để ước tính thời gian chờ."
    else:
        line += f" Thời gian chờ ước tính khoảng {_minutes(wait_s)} phút."
    lines.append(line)
    if priority == "critical":
        lines.append(
            "Trong lúc chờ: nếu gọi được, hãy gọi ngay công an [[police.phone]], hoặc gọi [[hotlines]]. "
            "Nếu an toàn, hãy giữ cuộc trò chuyện này và nhắn tiếp cho mình."
        )
    elif overflow or online == 0:
        lines.append(
            ("Hàng chờ đang đông. " if overflow else "")
            + "Bạn có thể gọi ngay [[line.line]], hoặc để lại số điện thoại và giờ an toàn "
            "để tư vấn viên gọi lại cho bạn."
        )
    return "\n".join(lines)


# The bot's name in the web chat: it says plainly that an automatic assistant, not a person, answers.
BOT_NAME = "Trợ lý tự động"
SYSTEM_NAME = "Hệ thống"


def author_label(kind: str, name: str = "") -> str:
    """The web chat's label above a message: "Tư vấn viên Lan", "Hệ thống" or the bot's name."""
    if kind == "counsellor":
        return counsellor_title(name)
    return SYSTEM_NAME if kind == "system" else BOT_NAME


def signed(channel: str, text: str, name: str) -> str:
    """A counsellor's message on a text channel (Telegram, Zalo, SMS), which shows every message as
    the same bot: their name first. SMS keeps it short ("TVV Lan: …", TVV = tư vấn viên), since
    every character counts there."""
    if channel == "sms":
        return f"TVV {name}: {text}" if name else f"TVV: {text}"
    return f"{name} (tư vấn viên): {text}" if name else f"Tư vấn viên: {text}"


def counsellor_title(name: str) -> str:
    """How the person sees a counsellor: "Tư vấn viên Lan", or "Tư vấn viên" with no name."""
    return f"Tư vấn viên {name}".strip()


def claimed(name: str = "") -> str:
    return f"{counsellor_title(name)} đã vào cuộc trò chuyện và đang đọc tin nhắn của bạn. Bạn cứ nhắn tiếp nhé."


def continued(name: str = "") -> str:
    """A counsellor joins a case whose first counsellor had to step away (the person was told so)."""
    return (f"{counsellor_title(name)} đã vào để tiếp tục với bạn và đang đọc lại những gì bạn đã nhắn. "
            "Bạn không cần kể lại từ đầu.")


def handed_over(name: str = "") -> str:
    """A counsellor hands the case straight to a colleague: the person hears who writes from now on."""
    return (f"{counsellor_title(name)} sẽ tiếp tục trò chuyện với bạn từ bây giờ và đã có các thông tin bạn "
            "nhắn trước đó. Bạn cứ nhắn tiếp nhé.")


def stepped_away(critical: bool) -> str:
    """The counsellor who had joined left the case (timed out, lost, handed it back to the queue):
    never "still looking" as if nobody had joined."""
    text = ("Tư vấn viên vừa phải tạm rời cuộc trò chuyện. Một tư vấn viên khác sẽ tiếp tục với bạn sớm nhất có "
            "thể; tin nhắn của bạn vẫn được giữ nguyên, bạn không cần nhắn lại.")
    if critical:
        text += (" Nếu bạn đang gặp nguy hiểm, đừng chờ: gọi ngay công an [[police.phone]], "
                 "hoặc gọi [[hotlines]].")
    return text


def still_waiting_critical(location_known: bool = False, watched: bool = False) -> str:
    """The second safety message, when a critical case nobody has joined is still unclaimed. It
    asks only for what the line does not know yet, and never asks a person whose phone is watched
    to write more."""
    lines = ["Mình vẫn đang tìm tư vấn viên cho bạn. Nếu bạn đang gặp nguy hiểm, đừng chờ: gọi ngay công an "
             "[[police.phone]], hoặc gọi [[hotlines]]."]
    if watched:
        lines.append("Nếu không an toàn để nhắn, bạn không cần trả lời; hãy xóa tin nhắn này nếu cần.")
    elif location_known:
        lines.append("Mình đã ghi lại nơi bạn đang ở. Nếu an toàn, hãy nhắn thêm cho mình điều đang xảy ra.")
    else:
        lines.append("Nếu an toàn, hãy nhắn cho mình bạn đang ở đâu.")
    return " ".join(lines)


def supervisor_alert(waited_s: float, channel: str) -> str:
    """For the supervisors' chat: no message text, no user id, only what to act on."""
    return (f"CẢNH BÁO: một trường hợp KHẨN CẤP qua {CHANNEL_NAMES.get(channel, channel)} đã chờ {round(waited_s)} giây "
            "mà chưa có tư vấn viên nhận. Hãy mở bàn tư vấn và phân công ngay.")


def closed() -> str:
    return (
        "Cuộc trò chuyện với tư vấn viên đã kết thúc. Cảm ơn bạn đã tin tưởng nhắn cho đường dây. Khi cần, bạn cứ "
        "nhắn lại đây hoặc gọi [[line.line]]."
    )


def referral_in_progress(may_contact: bool) -> str:
    """A contact closed with a rescue or support referral: the case is not over and the person is
    not told it is. Worded so that someone else reading the phone learns little ("hỗ trợ", never
    "giải cứu"); the line contacts them only if they allowed it (do_not_contact)."""
    reach = ("Đường dây sẽ liên hệ lại với bạn khi an toàn, theo cách bạn đã cho biết."
             if may_contact else "Như bạn đã dặn, đường dây sẽ không tự liên hệ với bạn.")
    return ("Tư vấn viên đang kết nối trường hợp của bạn với đơn vị hỗ trợ. " + reach
            + " Khi bạn nhắn lại đây, tin nhắn sẽ tới thẳng tư vấn viên. Nếu gặp nguy hiểm ngay, hãy gọi công an "
              "[[police.phone]].")


def follow_up_received() -> str:
    """The person writes again while their referral is followed up: a counsellor, not the bot, answers."""
    return "Mình đã chuyển tin nhắn của bạn tới tư vấn viên đang theo dõi trường hợp của bạn. Bạn cứ nhắn tiếp nhé."


SURVEY = {
    "satisfied": "Bạn có hài lòng với sự hỗ trợ hôm nay không? Trả lời 1 nếu có, 2 nếu không.",
    "helped": "Sau cuộc trò chuyện, bạn có biết rõ hơn mình nên làm gì tiếp theo không? Trả lời 1 nếu có, 2 nếu không.",
}
SURVEY_ORDER = ("satisfied", "helped")


def delivery_failed(channel: str, attempts: Optional[int]) -> str:
    """For the counsellor (shown in the transcript), not sent to the user."""
    tries = f" sau {attempts} lần thử" if attempts else ""
    return (f"Không gửi được tin nhắn tới người dùng qua {CHANNEL_NAMES.get(channel, channel)}{tries}. "
            "Tin nhắn vẫn được lưu; hãy thử gửi lại hoặc liên hệ cách khác nếu người dùng đã cho phép.")


def window_closed(channel: str, contact: str) -> str:
    """For the counsellor: the provider takes no more messages until the person writes again
    (Messenger: 7 days after their last message). ``contact``: how they said they may be reached."""
    where = CHANNEL_NAMES.get(channel, channel)
    line = (f"Không gửi được qua {where}: đã quá 7 ngày kể từ tin nhắn cuối của người dùng, nên {where} không cho "
            "gửi thêm cho tới khi họ nhắn lại. Tin nhắn vẫn được lưu. ")
    if not contact:
        return line + "Người dùng chưa cho biết cách liên hệ nào khác."
    return line + f"Hãy liên hệ theo cách khác họ đã cho: “{contact}”."


def survey_thanks() -> str:
    return "Cảm ơn bạn đã trả lời. Chúc bạn an toàn!"


_NO_CONTACT = re.compile(
    r"^\s*(không|khong|ko|k|kh|no|đừng|dung)\b|(đừng|dung|không|khong|ko)\s+(liên hệ|lien he|gọi|goi|nhắn|nhan)",
    re.IGNORECASE)


def refuses_contact(answer: str) -> bool:
    """The intake's "how may we reach you" answer says: do not contact me."""
    return bool(_NO_CONTACT.search(answer or ""))


def follow_up_check(answer: str) -> str:
    """Shown to a counsellor about to write first, long after the user last wrote."""
    if not answer:
        return ("Người dùng đã lâu không nhắn và chưa cho biết cách liên hệ an toàn. Tin nhắn có thể bị người khác "
                "đọc được. Bạn vẫn muốn gửi?")
    return f"Người dùng đã lâu không nhắn. Cách liên hệ an toàn họ đã cho: “{answer}”. Bạn vẫn muốn gửi?"


_YES = re.compile(r"^\s*(1|có|co|c|yes|y|ok|hài lòng|hai long|rồi|roi|biết|biet)\s*[.!]*\s*$", re.IGNORECASE)
_NO = re.compile(r"^\s*(2|không|khong|ko|k|kh|no|chưa|chua)\s*[.!]*\s*$", re.IGNORECASE)


def survey_answer(text: str) -> Optional[bool]:
    """True / False for a yes / no answer, None when the message is not an answer."""
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None
