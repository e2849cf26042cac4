"""LOGON: a sign-on screen and a menu, for web3270's end-to-end tests.

Run: python tests/hosts/logon.py --host 127.0.0.1 --port 3270 [--no-tn3270e] [--trace]

Screens (StandardFrame, clock fixed at 2026-01-02 03:04 so every screen is reproducible):
- SIGNON: USERID (input, 8), PASSWORD (hidden input, 8), BRANCH (numeric input, 4 digits).
  Enter with password WEB3270 -> MENU; any other password -> error message and alarm.
  PF3 -> disconnect.
- MENU: "WELCOME <USERID>" and "BRANCH <nnnn>", three numbered options. PF3 -> disconnect.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from mfmock import (
    Application,
    Exit,
    Goto,
    MessageCatalog,
    Screen,
    ScreenError,
    StandardFrame,
    Stay,
    msg,
    run,
)

PASSWORD = "WEB3270"
FIXED_CLOCK = datetime(2026, 1, 2, 3, 4, 5)

CATALOG = MessageCatalog(prefix="LGN", messages={
    "SIGNED_ON": ("LGN0100I", "SIGNED ON AS {user}"),
    "BAD_PASSWORD": ("LGN0101E", "PASSWORD IS INCORRECT"),
    "CHOSEN": ("LGN0102I", "OPTION {option} SELECTED"),
    "BYE": ("LGN0103I", "GOODBYE"),
})


class LogonApp(Application):
    def __init__(self) -> None:
        super().__init__("LOGON", start="SIGNON", catalog=CATALOG, frame=StandardFrame(sysid="WEB3270"),
                         pf_legend="ENTER=Continue  PF3=Exit")

    def clock(self) -> datetime:
        return FIXED_CLOCK

    def create_state(self, conversation):
        return SimpleNamespace(user="", branch="")

    def user_label(self, conversation) -> str:
        return conversation.state.user


app = LogonApp()


@app.screen
class SignOn(Screen):
    name = "SIGNON"
    title = "SIGN ON"
    show_tran = False
    default_cursor = "userid"
    template_source = """\
{{ row(4) }}{{ center('W E B 3 2 7 0   T E S T   H O S T', 'brand') }}
{{ row(8) }}{{ prompt(col=10) }}USERID  . . :{{ input('userid', 8, col=25, upper=True, label='USERID', validators=[required]) }}
{{ row(10) }}{{ prompt(col=10) }}PASSWORD  . :{{ input('password', 8, col=25, hidden=True, upper=True, label='PASSWORD', validators=[required]) }}
{{ row(12) }}{{ prompt(col=10) }}BRANCH  . . :{{ input('branch', 4, col=25, numeric=True, label='BRANCH', validators=[digits()]) }}
{{ row(16) }}{{ text('notice', col=10) }}Password is WEB3270
"""

    def enter(self):
        user, password = self.v("userid"), self.values.pop("password", "")
        if password.upper() != PASSWORD:
            raise ScreenError("BAD_PASSWORD", cursor="password")
        self.state.user = user
        self.state.branch = self.v("branch")
        return Goto("MENU", message=msg("SIGNED_ON", user=user), replace=True)

    def pf(self, n: int):
        return Exit(msg("BYE")) if n == 3 else None


@app.screen
class Menu(Screen):
    name = tran = "MENU"
    title = "MAIN MENU"
    default_cursor = "option"
    template_source = """\
{{ row(4) }}{{ text('heading', col=10) }}WELCOME {{ output('user', 8) }}
{{ row(5) }}{{ text('label', col=10) }}BRANCH{{ output('branch', 4, col=18) }}
{{ row(8) }}{{ text('label', col=10) }}1  ACCOUNTS
{{ row(9) }}{{ text('label', col=10) }}2  PAYMENTS
{{ row(10) }}{{ text('label', col=10) }}3  REPORTS
{{ row(13) }}{{ prompt(col=10) }}OPTION ==>{{ input('option', 1, col=22, label='OPTION', validators=[one_of('1', '2', '3')]) }}
"""

    def setup(self):
        self.values["user"] = self.state.user
        self.values["branch"] = self.state.branch or "----"

    def enter(self):
        return Stay(msg("CHOSEN", option=self.v("option")))

    def pf(self, n: int):
        return Exit(msg("BYE")) if n == 3 else None


if __name__ == "__main__":
    run(app)
