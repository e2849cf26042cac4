"""COLOURS: every SFE colour and highlight, and each kind of field, for web3270's end-to-end tests.

Run: python tests/hosts/colours.py --host 127.0.0.1 --port 3270 [--no-tn3270e] [--trace]

One screen (PlainFrame: no clock, no chrome, the same bytes on every run):
- rows 1-9: a title and a table of the seven colours x normal/reverse/underscore/blink, each cell
  its own protected field with an SFE (extended terminals) or SF (basic terminals);
- row 12 NAME: unprotected input (IC is placed here: the cursor starts at 12,17);
- row 13 AMOUNT: numeric input; row 14 PIN: hidden (non-display) input;
- row 15 FIXED: protected output field with initial text; row 16 BRIGHT: intensified output;
- Enter -> the message line (row 22) echoes NAME/AMOUNT and the PIN length (info, no alarm);
  Enter with NAME = ALARM -> an error message with the WCC sound-alarm bit set.
  PF3 -> disconnect.
"""

from __future__ import annotations

from mfmock import (
    COLOR_STYLES,
    DEFAULT_THEME,
    Application,
    Exit,
    MessageCatalog,
    PlainFrame,
    Screen,
    ScreenError,
    Stay,
    msg,
    run,
)

CATALOG = MessageCatalog(prefix="COL", messages={
    "ECHO": ("COL0100I", "NAME={name} AMOUNT={amount} PIN={pin} CHARS"),
    "ALARM": ("COL0101E", "ALARM REQUESTED"),
})

app = Application("COLOURS", start="COLOURS", catalog=CATALOG, frame=PlainFrame(),
                  theme=DEFAULT_THEME.extend(**COLOR_STYLES))

COLOURS = ["blue", "red", "pink", "green", "turquoise", "yellow", "white"]


@app.screen
class Colours(Screen):
    name = tran = "COLOURS"
    title = "COLOURS"
    default_cursor = "name"
    message_at = (22, 2, 70)
    layout_variables = {"colours": COLOURS}
    template_source = """\
{{ row(1) }}{{ center('COLOUR AND FIELD TEST', 'title') }}
{{ row(2) }}{{ text('heading', col=2) }}COLOUR       NORMAL     REVERSE    UNDERSCORE  BLINK
{% for colour in colours %}
{{ text('label', col=2) }}{{ colour|upper }}{{ text(colour, col=15) }}Sample{{ text(colour ~ '_rev', col=26) }}Sample{{ text(colour ~ '_ul', col=37) }}Sample{{ text(colour ~ '_blink', col=49) }}Sample
{% endfor %}
{{ row(12) }}{{ prompt(col=2) }}NAME  . . . : {{ input('name', 10, label='NAME') }}
{{ prompt(col=2) }}AMOUNT  . . : {{ input('amount', 6, numeric=True, label='AMOUNT', validators=[digits()]) }}
{{ prompt(col=2) }}PIN . . . . : {{ input('pin', 4, hidden=True, label='PIN') }}
{{ prompt(col=2) }}FIXED . . . : {{ output('fixed', 20) }}
{{ prompt(col=2) }}BRIGHT  . . : {{ output('bright', 20, style='emphasis') }}
{{ row(24) }}{{ text('pfkeys', col=2) }}ENTER=Echo  PF3=Exit
"""

    def setup(self):
        self.values["fixed"] = "PROTECTED TEXT"
        self.values["bright"] = "INTENSIFIED"

    def enter(self):
        if self.v("name") == "ALARM":
            raise ScreenError("ALARM", cursor="name")
        pin = self.values.pop("pin", "")
        return Stay(msg("ECHO", name=self.v("name"), amount=self.v("amount"), pin=len(pin)))

    def pf(self, n: int):
        return Exit() if n == 3 else None


if __name__ == "__main__":
    run(app)
