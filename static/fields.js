// web3270 embed API helper: where the fields are, for Session.fields() (static/web3270.js),
// while the wasm terminal does not export its own field list. It follows the host's writes
// (GA23-0059 ch. 3 commands, ch. 4 orders) only as far as field attributes go: which buffer
// addresses hold a field attribute and its value. The characters come from the terminal's
// screen text. It never throws on malformed records: an order cut short ends that record.
// Not handled (the fields may lag until the next Erase/Write): structured fields other than
// Outbound 3270DS for partition 0, and the BIND's screen sizes (the model's sizes are used).

const CMD = {
  W: [0xf1, 0x01], EW: [0xf5, 0x05], EWA: [0x7e, 0x0d], EAU: [0x6f, 0x0f], WSF: [0xf3, 0x11],
};
const ORDER = { PT: 0x05, GE: 0x08, SBA: 0x11, EUA: 0x12, IC: 0x13, SF: 0x1d, SA: 0x28, SFE: 0x29, MF: 0x2c, RA: 0x3c };
const XA_3270 = 0xc0; // the field attribute in SFE/MF pairs (GA23-0059 §4.4.5)
const FA_PROTECTED = 0x20;
const SF_OUTBOUND_3270DS = 0x40; // structured field ID (GA23-0059 §5.3)
/** Alternate sizes of the 3278/3279 models 2–5 (rows, cols); the default size is 24×80. */
const MODEL_SIZES = { 2: [24, 80], 3: [32, 80], 4: [43, 80], 5: [27, 132] };

export class FieldMap {
  /** `model`: the s3270 model name (`3279-4-E`) whose alternate size EWA selects. */
  constructor(model) {
    const n = /-(\d)/.exec(model ?? '')?.[1];
    this.alternate = MODEL_SIZES[n] ?? MODEL_SIZES[2];
    this.size = 24 * 80;
    this.attrs = new Map(); // address -> field attribute byte
  }

  /** Local Clear (or a new session): no fields, default size. */
  clear() { this.size = 24 * 80; this.attrs.clear(); }

  /** One binary websocket message (data type byte + record). */
  apply(msg) {
    if (msg[0] !== 0x00 || msg.length < 2) return; // 3270-DATA only
    this.#command(msg, 1, msg.length);
  }

  #command(b, i, end) {
    const c = b[i];
    if (CMD.WSF.includes(c)) { this.#structured(b, i + 1, end); return; }
    if (CMD.EW.includes(c) || CMD.EWA.includes(c)) {
      const [r, k] = CMD.EWA.includes(c) ? this.alternate : [24, 80];
      this.size = r * k;
      this.attrs.clear();
    } else if (!CMD.W.includes(c)) {
      return; // EAU and read commands change no attribute
    }
    this.#orders(b, i + 2, end); // skip the WCC
  }

  #structured(b, i, end) {
    while (i + 3 <= end) {
      const len = (b[i] << 8) | b[i + 1];
      const stop = len === 0 ? end : Math.min(i + len, end);
      if (len !== 0 && len < 3) return;
      if (b[i + 2] === SF_OUTBOUND_3270DS && b[i + 3] === 0 && i + 4 < stop) this.#command(b, i + 4, stop);
      i = stop;
    }
  }

  #addr(b, i) {
    const hi = b[i], lo = b[i + 1];
    const a = (hi & 0xc0) === 0 ? ((hi & 0x3f) << 8) | lo : ((hi & 0x3f) << 6) | (lo & 0x3f);
    return a % this.size;
  }

  #char(at) { this.attrs.delete(at); return (at + 1) % this.size; }

  #orders(b, i, end) {
    let at = 0;
    while (i < end) {
      const o = b[i];
      if (o === ORDER.SBA || o === ORDER.EUA) {
        if (i + 3 > end) return;
        at = this.#addr(b, i + 1); i += 3;
      } else if (o === ORDER.SF) {
        if (i + 2 > end) return;
        this.attrs.set(at, b[i + 1]); at = (at + 1) % this.size; i += 2;
      } else if (o === ORDER.SFE || o === ORDER.MF) {
        if (i + 2 > end) return;
        const n = b[i + 1];
        if (i + 2 + 2 * n > end) return;
        let fa = o === ORDER.MF ? this.attrs.get(at) : 0;
        for (let k = 0; k < n; k++) if (b[i + 2 + 2 * k] === XA_3270) fa = b[i + 3 + 2 * k];
        if (o === ORDER.SFE || fa !== undefined) this.attrs.set(at, fa ?? 0);
        at = (at + 1) % this.size; i += 2 + 2 * n;
      } else if (o === ORDER.SA) {
        i += 3;
      } else if (o === ORDER.IC) {
        i += 1;
      } else if (o === ORDER.PT) {
        at = this.#nextInput(at); i += 1;
      } else if (o === ORDER.RA) {
        if (i + 4 > end) return;
        const stop = this.#addr(b, i + 1);
        i += b[i + 3] === ORDER.GE ? 5 : 4;
        let guard = this.size;
        do { at = this.#char(at); } while (at !== stop && --guard > 0);
      } else if (o === ORDER.GE) {
        at = this.#char(at); i += 2;
      } else {
        at = this.#char(at); i += 1;
      }
    }
  }

  /** The first data position of the next unprotected field after `at` (PT), else 0. */
  #nextInput(at) {
    const sorted = [...this.attrs.keys()].sort((a, b) => a - b);
    for (const a of [...sorted.filter((x) => x >= at), ...sorted.filter((x) => x < at)]) {
      if (!(this.attrs.get(a) & FA_PROTECTED)) return (a + 1) % this.size;
    }
    return 0;
  }

  /** The fields, given the screen's rows: `[{row, col, length, protected, numeric, hidden,
   *  intensified, text}]` (row/col of the first data cell, 0-based). */
  fields(rows) {
    const flat = rows.join('');
    if (!flat.length || flat.length !== this.size) return [];
    const cols = rows[0].length;
    const addrs = [...this.attrs.keys()].sort((a, b) => a - b);
    return addrs.map((a, k) => {
      const next = k + 1 < addrs.length ? addrs[k + 1] : addrs[0] + flat.length;
      const length = next - a - 1;
      const start = (a + 1) % flat.length;
      let text = '';
      for (let j = 0; j < length; j++) text += flat[(start + j) % flat.length];
      const fa = this.attrs.get(a);
      return {
        row: Math.floor(start / cols), col: start % cols, length,
        protected: !!(fa & FA_PROTECTED), numeric: !!(fa & 0x10),
        hidden: (fa & 0x0c) === 0x0c, intensified: (fa & 0x0c) === 0x08, text,
      };
    });
  }
}
