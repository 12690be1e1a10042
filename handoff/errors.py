"""What a handoff step may refuse, a delivery that failed, and a store that cannot be reached."""
from __future__ import annotations

from handoff.store.faults import StoreUnavailable  # noqa: F401 (the handoff's errors in one place)

# A console read while the store is away (handoff/auth.py); its writes wait in Redis (handoff/spool.py).
STORE_UNAVAILABLE_TEXT = ("Hồ sơ tạm thời chưa mở được. Tin nhắn mới vẫn được giữ lại và hàng chờ vẫn chạy; "
                          "bạn thử lại sau ít phút.")


class HandoffError(Exception):
    """A refused handoff step; ``code`` is for the API, the message for a person."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


# DeliveryFailed.reason when the provider allows no more messages to this person until they write
# again (Messenger: 7 days after their last message); the console then points to other ways to reach them.
WINDOW_CLOSED = "window_closed"


class DeliveryFailed(Exception):
    """A channel could not deliver a message, even after its retries."""

    def __init__(self, channel: str, attempts: int, reason: str) -> None:
        super().__init__(f"{channel}: {reason} after {attempts} attempt(s)")
        self.channel, self.attempts, self.reason = channel, attempts, reason


def not_yours() -> HandoffError:
    return HandoffError("not_yours", "Cuộc trò chuyện này không do bạn phụ trách.", status=403)
