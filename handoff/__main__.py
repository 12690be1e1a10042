"""Console accounts: `python -m handoff users add|list|passwd|disable ...`.

  python -m handoff users add lan --role counsellor --name "Lan" [--capacity 3]
  python -m handoff users languages lan en km   (cases in English and Khmer go to Lan first)
  python -m handoff users passwd lan
  python -m handoff users disable lan
  python -m handoff users enable lan
  python -m handoff users list

  python -m handoff retention      anonymise transcripts older than RETENTION_DAYS now

The admin page (/console/admin/) does the same from a browser, audited.
The password is asked twice at the prompt, or read from the first line of stdin with
--password-stdin (for scripts). Accounts live in DATABASE_URL's store.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

from handoff.accounts import password_problem, username_problem
from handoff.auth import ROLES, hash_password
from handoff.store import Store
from shared.config import Config


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise SystemExit("Hai mật khẩu không khớp.")
    problem = password_problem(password)
    if problem:
        raise SystemExit(problem)
    return password


def spoken_languages() -> List[str]:
    from directory.languages import languages

    return sorted(languages())


def main(argv: Optional[List[str]] = None, store: Optional[Store] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    groups = parser.add_subparsers(dest="group", required=True)
    groups.add_parser("retention", help="anonymise old transcripts now (the gateway also does it daily)")
    sub = groups.add_parser("users").add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", help="name shown in the console (default: the username)")
    add.add_argument("--capacity", type=int, help="chats at once (default: COUNSELLOR_CAPACITY)")
    add.add_argument("--password-stdin", action="store_true")
    passwd = sub.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = sub.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("username")
    enable = sub.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("username")
    speaks = sub.add_parser("languages", help="the languages besides Vietnamese a counsellor speaks")
    speaks.add_argument("username")
    speaks.add_argument("codes", nargs="*", help="e.g. en km (none: Vietnamese only)")
    sub.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)

    config = Config.from_env()
    store = store or Store.from_url(config.database_url)
    if args.group == "retention":
        from handoff.retention import anonymise

        counts = anonymise(store, config.retention_days * 86400)
        print(f"Đã ẩn danh {counts['messages']} tin nhắn, {counts['conversations']} người gửi "
              f"(cũ hơn {config.retention_days:g} ngày).")
        return 0
    if args.command == "add":
        problem = username_problem(args.username)
        if problem:
            raise SystemExit(problem)
        if store.accounts.get(args.username):
            raise SystemExit(f"Tài khoản {args.username} đã có.")
        store.accounts.add(args.username, args.name or args.username, args.role,
                           hash_password(_password(args.password_stdin)), args.capacity or config.counsellor_capacity)
        print(f"Đã tạo tài khoản {args.username} ({args.role}).")
    elif args.command == "passwd":
        if not store.accounts.update(args.username, password_hash=hash_password(_password(args.password_stdin))):
            raise SystemExit(f"Không có tài khoản {args.username}.")
        print("Đã đổi mật khẩu.")
    elif args.command == "disable":
        if not store.accounts.update(args.username, active=False):
            raise SystemExit(f"Không có tài khoản {args.username}.")
        print(f"Đã khóa tài khoản {args.username}.")
    elif args.command == "languages":
        wrong = [c for c in args.codes if c not in spoken_languages()]
        if wrong:
            raise SystemExit(f"Không có ngôn ngữ {', '.join(wrong)}; có: {', '.join(spoken_languages())}.")
        if not store.accounts.update(args.username, languages=" ".join(args.codes) or None):
            raise SystemExit(f"Không có tài khoản {args.username}.")
        print(f"Đã lưu ngôn ngữ của {args.username}: {', '.join(args.codes) or 'chỉ tiếng Việt'}.")
    elif args.command == "enable":
        if not store.accounts.update(args.username, active=True):
            raise SystemExit(f"Không có tài khoản {args.username}.")
        print(f"Đã mở khóa tài khoản {args.username}.")
    else:
        for user in store.accounts.all():
            state = "" if user["active"] else "  (đã khóa)"
            print(f"{user['username']:<20} {user['role']:<11} {user['capacity']}  {user['display_name']}{state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
