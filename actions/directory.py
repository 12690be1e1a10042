"""The service directory (data/services.yml) and the texts built from it.

Pure Python on purpose: the gateway also uses it to answer urgent messages when
the Rasa or action server is down.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

import yaml

SERVICES_FILE = Path(__file__).resolve().parent.parent / "data" / "services.yml"
# First line of the safety answer: the gateway checks for it so it is never sent twice.
SAFETY_OPENING = "Mình đã nhận được tin của bạn và sẽ giúp bạn ngay."


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    description: str
    needs: Tuple[str, ...]
    source: str
    phone: Optional[str] = None
    hours: Optional[str] = None
    free: bool = False
    province: Optional[str] = None

    def line(self) -> str:
        """One line for a chat message: name, then number, cost and hours not already in it."""
        details = [
            self.phone and self.phone not in self.name and f"số {self.phone}",
            self.free and "miễn phí" not in self.name and "miễn phí",
            self.hours and f"trực {self.hours}",
        ]
        details = [d for d in details if d]
        return f"{self.name} ({', '.join(details)})" if details else self.name


class ServiceDirectory:
    def __init__(self, services: Iterable[Service]) -> None:
        self.services = list(services)

    @classmethod
    def load(cls, path: Path = SERVICES_FILE) -> "ServiceDirectory":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        services = []
        for entry in raw["services"]:
            entry = dict(entry)
            entry["needs"] = tuple(entry.get("needs", ()))
            if entry.get("phone") is not None:
                entry["phone"] = str(entry["phone"])
            services.append(Service(**entry))
        return cls(services)

    def get(self, service_id: str) -> Service:
        return next(s for s in self.services if s.id == service_id)

    def for_need(self, need: str, province: Optional[str] = None) -> List[Service]:
        """Services answering ``need``; those of the given province first."""
        found = [s for s in self.services if need in s.needs]
        return sorted(found, key=lambda s: province is None or s.province != province)

    def phones(self) -> List[str]:
        return [s.phone for s in self.services if s.phone]

    def safety_message(self, abroad: bool = False) -> str:
        """What to do right now when someone is in danger (Vietnamese, with diacritics)."""
        police, child, hotline = (self.get(i) for i in ("police_113", "child_line_111", "hotline_18001769"))
        lines = [
            f"{SAFETY_OPENING} Nếu bạn đang gặp nguy hiểm:",
            f"1. Nếu gọi được, hãy gọi ngay công an {police.phone}.",
            f"2. Gọi {hotline.phone} (miễn phí, 24/24); nếu là trẻ em, gọi {child.phone} (miễn phí).",
        ]
        if abroad:
            lines.append(
                "3. Bạn đang ở nước ngoài: hãy tìm cách liên hệ Đại sứ quán hoặc Tổng Lãnh sự quán Việt Nam, "
                "hoặc công an nước sở tại."
            )
        lines.append(
            "Nếu an toàn để nhắn tiếp, hãy cho mình biết: bạn đang ở đâu (quốc gia, địa chỉ, tên nơi hoặc cảnh vật "
            "xung quanh), có mấy người bị giữ, và cách liên lạc lại với bạn. Nếu sợ bị kiểm tra điện thoại, hãy xóa "
            "tin nhắn sau khi gửi."
        )
        return "\n".join(lines)

    def unavailable_message(self) -> str:
        """Said when the assistant cannot answer (Rasa down): where to get help now."""
        police, hotline = self.get("police_113"), self.get("hotline_18001769")
        return (
            "Xin lỗi, trợ lý tự động đang tạm gián đoạn. Bạn vui lòng nhắn lại sau ít phút, hoặc gọi "
            f"{hotline.phone} (miễn phí, 24/24). Nếu bạn hoặc ai đó đang gặp nguy hiểm, hãy gọi ngay {police.phone}."
        )


@functools.lru_cache(maxsize=1)
def default_directory() -> ServiceDirectory:
    return ServiceDirectory.load()
