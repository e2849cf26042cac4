"""Drive the LOGON app with IBM's tnz client (an independent TN3270 client): sign on, print screens.

Run: python tests/hosts/tnz_logon.py PORT USERID PASSWORD BRANCH [--tn3270e]

Prints "=== screen N rows=R cols=C" and then each row, for the sign-on screen and the menu.
tnz negotiates IBM-DYNAMIC by default and TN3270E only when asked (use_tn3270e).
"""

from __future__ import annotations

import sys
import time

from tnz import tnz

TIMEOUT = 15.0


def rows(t) -> list[str]:
    text = t.scrstr(0, 0, False)  # the whole buffer, no newlines
    return [text[i:i + t.maxcol] for i in range(0, len(text), t.maxcol)]


def wait_for(t, needle: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while needle not in t.scrstr(0, 0) or t.pwait or t.system_lock_wait:
        if time.monotonic() > deadline or t.seslost:
            raise SystemExit(f"tnz: {needle!r} did not appear; screen:\n" + "\n".join(rows(t)))
        t.wait(0.2)


def show(n: int, t) -> None:
    print(f"=== screen {n} rows={t.maxrow} cols={t.maxcol}")
    for row in rows(t):
        print(row)


def main() -> None:
    port, user, password, branch = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    t = tnz.Tnz(name="web3270-test")
    t.use_tn3270e = "--tn3270e" in sys.argv
    t.connect("127.0.0.1", int(port), secure=False)
    wait_for(t, "USERID")
    show(1, t)
    t.key_data(user)
    t.key_tab()
    t.key_data(password)
    t.key_tab()
    t.key_data(branch)
    t.enter()
    wait_for(t, "WELCOME")
    show(2, t)
    t.shutdown()


if __name__ == "__main__":
    main()
