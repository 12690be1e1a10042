"""What makes a console account valid, for the command line (`python -m handoff users`) and the
admin page alike, so both refuse the same names and passwords in the same words."""
from __future__ import annotations

from typing import Optional

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # what sign-in accepts (handoff/console/team.py)
MAX_NAME = 80


def username_problem(username: str) -> Optional[str]:
    """Why ``username`` cannot name an account, or None. ASCII only: it is typed at every
    sign-in, on any keyboard, and appears in the audit log and the team list."""
    if not username or len(username) > 40 or not username.isascii() \
            or not username.replace(".", "").replace("_", "").isalnum():
        return "Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm và gạch dưới (tối đa 40 ký tự)."
    return None


def password_problem(password: str) -> Optional[str]:
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > MAX_PASSWORD:
        return "Mật khẩu quá dài."
    return None
