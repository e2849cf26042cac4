"""SIZES: one screen that fills whatever size the terminal negotiated, for web3270's end-to-end tests.

Run: python tests/hosts/sizes.py --host 127.0.0.1 --port 3270 [--no-tn3270e] [--trace]

The host draws for the terminal's (alternate) size: models 2-5 (24x80, 32x80, 43x80, 27x132) and
IBM-DYNAMIC (any size from the Query Reply, e.g. s3270 -oversize 62x160 = 9920 cells, so the
bottom rows use 14-bit buffer addresses). Non-default sizes are written with Erase/Write Alternate.
- row 1: "TOP LEFT" at column 1... and "SIZE <rows>x<cols>" centred;
- the last row but one: an input field LAST (10) whose attribute sits near the end of the buffer;
- the last row: "BOTTOM RIGHT" ending in the last column;
- Enter -> the message line (row 2) echoes LAST. PF3 -> disconnect.
"""

from __future__ import annotations

from mfmock import Application, Exit, MessageCatalog, PlainFrame, Screen, Stay, msg, run

CATALOG = MessageCatalog(prefix="SIZ", messages={"ECHO": ("SIZ0100I", "LAST={last}")})

app = Application("SIZES", start="SIZES", catalog=CATALOG, frame=PlainFrame())


@app.screen
class Sizes(Screen):
    name = tran = "SIZES"
    title = "SIZES"
    default_cursor = "last"
    message_at = (2, 2, 40)
    template_source = """\
{{ row(1) }}{{ text('label', col=2) }}TOP LEFT{{ center('SIZE ' ~ rows ~ 'x' ~ cols, 'title') }}
{{ row(rows - 1) }}{{ prompt(col=cols - 30) }}LAST . . :{{ input('last', 10, col=cols - 18, label='LAST') }}
{{ row(rows) }}{{ text('label', col=cols - 11) }}BOTTOM RIGHT
"""

    def enter(self):
        return Stay(msg("ECHO", last=self.v("last")))

    def pf(self, n: int):
        return Exit() if n == 3 else None


if __name__ == "__main__":
    run(app)
