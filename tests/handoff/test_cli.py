"""`python -m handoff users ...`: accounts a counsellor signs in with."""
import io
import sys

import pytest

from handoff.__main__ import main
from handoff.auth import verify_password
from handoff.store import Store


@pytest.fixture
def own_store(tmp_path):
    return Store.from_url(f"sqlite:///{tmp_path / 'accounts.sqlite3'}")


def run(monkeypatch, store, argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv, store=store)


def test_add_list_passwd_disable(monkeypatch, own_store, capsys):
    run(monkeypatch, own_store, ["users", "add", "lan", "--role", "counsellor", "--name", "Nguyễn Thị Lan",
                                 "--capacity", "2", "--password-stdin"], "mot-mat-khau-dai\n")
    user = own_store.accounts.get("lan")
    assert user["role"] == "counsellor" and user["capacity"] == 2 and user["display_name"] == "Nguyễn Thị Lan"
    assert user["password_hash"].startswith("$argon2id$") and "mot-mat-khau-dai" not in user["password_hash"]
    assert verify_password(user["password_hash"], "mot-mat-khau-dai")
    run(monkeypatch, own_store, ["users", "passwd", "lan", "--password-stdin"], "mat-khau-moi-dai\n")
    assert verify_password(own_store.accounts.get("lan")["password_hash"], "mat-khau-moi-dai")
    run(monkeypatch, own_store, ["users", "disable", "lan"])
    assert own_store.accounts.get("lan")["active"] is False
    run(monkeypatch, own_store, ["users", "list"])
    assert "lan" in capsys.readouterr().out
    run(monkeypatch, own_store, ["users", "enable", "lan"])
    assert own_store.accounts.get("lan")["active"] is True


@pytest.mark.parametrize("argv, stdin, error", [
    (["users", "add", "lan", "--role", "counsellor", "--password-stdin"], "ngan\n", "ít nhất"),
    (["users", "add", "lan tran", "--role", "counsellor", "--password-stdin"], "mot-mat-khau-dai\n", "Tên đăng nhập"),
    (["users", "passwd", "khong-co", "--password-stdin"], "mot-mat-khau-dai\n", "Không có tài khoản"),
])
def test_refusals_say_why(monkeypatch, own_store, argv, stdin, error):
    with pytest.raises(SystemExit) as refused:
        run(monkeypatch, own_store, argv, stdin)
    assert error in str(refused.value)


def test_a_role_outside_the_list_is_refused(monkeypatch, own_store):
    with pytest.raises(SystemExit):
        run(monkeypatch, own_store, ["users", "add", "x", "--role", "root", "--password-stdin"], "mot-mat-khau-dai\n")
