// web3270 embed API: one ES module for the page (static/app.js), the iframe (static/embed.js)
// and intranet portals. docs/EMBEDDING.md documents it; docs/WEBSOCKET.md the bridge protocol.
//
//   import { mount } from 'https://bridge.example.com/static/web3270.js';
//   const s = await mount(document.getElementById('term'), { endpoint: 'prod', theme: 'dark' });
//   s.on('screen', () => console.log(s.screenText()));
//   s.connect();
//   await s.sendKeys('ALICE{TAB}secret{ENTER}');
//
// What it owns: loading the wasm once, one WebTerminal per mount, the websocket (hello,
// session, records, control), reconnect with backoff and resume, events. What it does not:
// rendering, keyboard mapping, the 3270 data stream (all in the wasm, web-client/).


/** The wasm terminal and its init function, loaded once per page. */
let wasmReady = null;

/** The bridge's base URL by default: where this module was loaded from (…/static/web3270.js). */
const DEFAULT_BRIDGE = new URL('..', import.meta.url).href;

/** The websocket subprotocol (docs/WEBSOCKET.md). */
export const PROTOCOL = 'web3270.v1';

/** Close codes after which reconnecting cannot help (docs/WEBSOCKET.md §5). */
const FATAL_CLOSE = new Set([4000, 4400, 4404, 4410, 4429, 4500, 4502]);

/** Backoff between reconnect attempts: 1 s, 2 s, 4 s … at most 15 s, ±20 % jitter. */
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 15000;

/** Events of the WebTerminal re-emitted by the Session with the same detail. */
const TERMINAL_EVENTS = ['bell', 'copy', 'paste', 'selection'];

/** Thrown (and sent as an `error` event) when the wasm is missing or fails to load. */
export class LoadError extends Error {}

async function loadWasm(bridgeUrl) {
  if (!wasmReady) {
    const glue = new URL('static/pkg/web_client.js', bridgeUrl).href;
    wasmReady = import(glue)
      .then(async (m) => { await m.default(); return m; })
      .catch((e) => {
        wasmReady = null;
        throw new LoadError(`the terminal (static/pkg) is not built or failed to load — `
          + `build it with "bash scripts/run.sh" (${e.message})`);
      });
  }
  return wasmReady;
}

/** The endpoints the bridge offers: `[{name, status, active_sessions, …}]`. */
export async function listEndpoints(bridgeUrl = DEFAULT_BRIDGE) {
  const r = await fetch(new URL('api/v1/endpoints', bridgeUrl), { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`GET /api/v1/endpoints: HTTP ${r.status}`);
  return (await r.json()).endpoints ?? [];
}

/**
 * Splits a sendKeys string into steps: literal text, and `{NAME}` keys. NAME is an action the
 * terminal knows (Enter, Tab, BackTab, PF1–PF24, PA1–PA3, Clear, Reset, EraseEOF, Home…, case
 * does not matter; s3270's `PF(3)` spelling works too). `{{` types a literal `{`.
 * Returns `[{text}|{key}]`; throws on an unclosed brace.
 */
export function parseKeys(spec) {
  const steps = [];
  let text = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c !== '{') { text += c; continue; }
    if (spec[i + 1] === '{') { text += '{'; i++; continue; }
    const end = spec.indexOf('}', i);
    if (end < 0) throw new SyntaxError(`sendKeys: unclosed "{" at ${i}`);
    if (text) { steps.push({ text }); text = ''; }
    const key = spec.slice(i + 1, end).replace(/[()\s]/g, '');
    if (!key) throw new SyntaxError(`sendKeys: empty key name at ${i}`);
    steps.push({ key });
    i = end;
  }
  if (text) steps.push({ text });
  return steps;
}

/**
 * What the OIA shows for a Session state: `[state, detail]` for
 * `WebTerminal.setConnectionState` (docs/WEB-CLIENT.md). The OIA has no "ended": a session
 * the host or the bridge ended is disconnected there (the page says why).
 */
function oiaState(state, extra) {
  switch (state) {
    case 'reconnecting':
      // Waiting out the backoff: the OIA counts down; opening the socket again: connecting.
      return extra.delayMs != null
        ? ['reconnecting', { seconds: Math.ceil(extra.delayMs / 1000) }]
        : ['connecting', null];
    case 'connected': return ['connected', { tls: Boolean(extra.tls) }];
    case 'refused': return ['refused', { code: extra.code ?? '', message: extra.message ?? '' }];
    case 'connecting': return ['connecting', null];
    default: return ['disconnected', null]; // ended, disconnected
  }
}

/**
 * A terminal session on the page. Events (`on(name, fn)` or `addEventListener`, CustomEvent
 * with `detail`): `connect` (the bridge's session message), `disconnect` ({code, reason,
 * reconnecting, delayMs}), `screen` (after host writes), `bell` (the host sounded the
 * alarm), `error` ({code, message}), `state` ({state, code?, message?}), and from the
 * operator: `copy` ({text}), `paste` ({typed, consumed, end}), `selection` ({top, left,
 * bottom, right} or null).
 */
export class Session extends EventTarget {
  #term; #opts; #socket = null; #retry = 0; #timer = 0; #wanted = false; #state = 'idle';
  #screenQueued = false; #resumeKey; #info = null; #mod;

  constructor(mod, term, opts) {
    super();
    this.#mod = mod;
    this.#term = term;
    this.#opts = opts;
    this.#resumeKey = `web3270.resume.${opts.storageKey}`;
    term.setOnSend((msg) => {
      if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(msg);
    });
    for (const name of TERMINAL_EVENTS) {
      term.on(name, (detail) => this.#emit(name, detail === undefined ? {} : detail));
    }
  }

  /** The WebTerminal (escape hatch: renderNow, cellRect, keyAction… docs/WEB-CLIENT.md). */
  get terminal() { return this.#term; }
  /** `idle`, `connecting`, `connected`, `reconnecting`, `refused`, `ended`, `disconnected`. */
  get state() { return this.#state; }
  /** The bridge's last `session` message (endpoint, lu, terminal_type, model, tls) or null. */
  get info() { return this.#info; }
  /** The options in force (after defaults). */
  get options() { return { ...this.#opts }; }
  /** The open websocket, for diagnostics and tests (closing it is a connection drop). */
  get socket() { return this.#socket; }

  /** `on(name, fn)`: adds a listener called with the event's detail; returns an unsubscribe. */
  on(name, fn) {
    const h = (e) => fn(e.detail, e);
    this.addEventListener(name, h);
    return () => this.removeEventListener(name, h);
  }

  #emit(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail })); }

  #setState(state, extra = {}) {
    this.#state = state;
    this.#showLink(...oiaState(state, extra));
    this.#emit('state', { state, ...extra });
  }

  /** Shows a transport state in the OIA (which also locks the keyboard while it is down). */
  #showLink(state, detail) {
    try { this.#term.setConnectionState(state, detail); } catch (e) { console.warn('web3270:', e); }
  }

  /** Opens the websocket (resuming this tab's session when it can). */
  connect() {
    this.#wanted = true;
    clearTimeout(this.#timer);
    if (this.#socket && this.#socket.readyState <= WebSocket.OPEN) return;
    this.#open();
  }

  /** Closes the websocket and forgets the session (the bridge ends it after its grace). */
  disconnect() {
    this.#wanted = false;
    clearTimeout(this.#timer);
    sessionStorage.removeItem(this.#resumeKey);
    const s = this.#socket;
    this.#socket = null;
    if (s) s.close(1000, 'disconnect');
    this.#setState('disconnected');
    this.#emit('disconnect', { code: 1000, reason: 'disconnect', reconnecting: false });
  }

  /** Drops the websocket and resumes the same session at once (e.g. after a network change). */
  reconnect() {
    this.#retry = 0;
    const s = this.#socket;
    this.#socket = null;
    if (s) { s.onclose = null; s.close(1000, 'reconnect'); }
    this.#wanted = true;
    this.#open();
  }

  #open() {
    const url = new URL('ws', this.#opts.bridgeUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url.href, PROTOCOL);
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    this.#setState(this.#retry ? 'reconnecting' : 'connecting');
    socket.onopen = () => {
      const resume = sessionStorage.getItem(this.#resumeKey);
      socket.send(JSON.stringify({
        type: 'hello',
        endpoint: this.#opts.endpoint || null,
        model: this.#opts.model || null,
        resume,
      }));
      // The bridge now opens (or finds) the host session: the OIA says which.
      this.#showLink(resume ? 'resuming' : 'negotiating', null);
    };
    socket.onmessage = (e) => this.#onMessage(e);
    socket.onclose = (e) => this.#onClose(socket, e);
  }

  #onMessage(e) {
    if (typeof e.data !== 'string') {
      const bytes = new Uint8Array(e.data);
      this.#term.feedRecord(bytes); // a `bell` event comes from the terminal's alarm
      this.#queueScreen();
      return;
    }
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    if (m.type === 'session') {
      this.#retry = 0;
      this.#info = m;
      sessionStorage.setItem(this.#resumeKey, m.resume_token);
      this.#term.beginSession(m);
      this.#setState('connected', { endpoint: m.endpoint, lu: m.lu, tls: m.tls });
      this.#emit('connect', m);
      this.#queueScreen();
    } else if (m.type === 'status' && m.state === 'mode') {
      this.#term.setMode(m.mode, m.lu_state ?? null);
    } else if (m.type === 'status') {
      sessionStorage.removeItem(this.#resumeKey);
      this.#setState('ended', { code: m.code, message: m.message });
      this.#emit('error', { code: m.code, message: m.message, fatal: true });
    } else if (m.type === 'error') {
      // RESUME_FAILED is followed by close 4410, after which a new session is started.
      const fatal = !['BAD_RECORD', 'BAD_MESSAGE', 'UPSTREAM_REFUSED', 'RESUME_FAILED'].includes(m.code);
      if (m.code === 'RESUME_FAILED') sessionStorage.removeItem(this.#resumeKey);
      if (fatal) this.#setState('refused', { code: m.code, message: m.message });
      this.#emit('error', { code: m.code, message: m.message, fatal });
    }
  }

  #onClose(socket, e) {
    if (socket !== this.#socket) return; // replaced or disconnected on purpose
    this.#socket = null;
    if (e.code === 4410 && this.#wanted) {
      // The resume token was refused (session gone): start a new session.
      this.#retry = 1;
      this.#emit('disconnect', { code: e.code, reason: e.reason, reconnecting: true, delayMs: 0 });
      this.#open();
      return;
    }
    const fatal = FATAL_CLOSE.has(e.code) || !this.#wanted || !this.#opts.reconnect;
    if (fatal) {
      if (this.#state !== 'refused' && this.#state !== 'ended') {
        this.#setState('disconnected', { code: e.code, message: e.reason });
      }
      this.#emit('disconnect', { code: e.code, reason: e.reason, reconnecting: false });
      return;
    }
    const base = Math.min(BACKOFF_FIRST_MS * 2 ** this.#retry++, BACKOFF_MAX_MS);
    const delayMs = Math.round(base * (0.8 + 0.4 * Math.random()));
    this.#setState('reconnecting', { delayMs, code: e.code });
    this.#emit('disconnect', { code: e.code, reason: e.reason, reconnecting: true, delayMs });
    this.#timer = setTimeout(() => { if (this.#wanted) this.#open(); }, delayMs);
  }

  #queueScreen() {
    if (this.#screenQueued) return;
    this.#screenQueued = true;
    queueMicrotask(() => { this.#screenQueued = false; this.#emit('screen', {}); });
  }

  /**
   * Types and presses keys: `sendKeys('ALICE{TAB}secret{ENTER}')` (see parseKeys). Resolves
   * with one outcome string per key pressed. Refused in read-only mode.
   */
  async sendKeys(spec) {
    if (this.#opts.readOnly) throw new Error('sendKeys: the session is read-only');
    const outcomes = [];
    for (const step of parseKeys(String(spec))) {
      if (step.text) this.#term.typeText(step.text);
      else outcomes.push(this.press(step.key));
    }
    return outcomes;
  }

  /** Presses one key by action name ("Enter", "PF3", "Clear", "Attn"…); returns the outcome. */
  press(action) {
    if (this.#opts.readOnly) throw new Error('press: the session is read-only');
    return this.#term.press(action);
  }

  /** The screen as shown: rows joined by "\n"; non-display (password) fields are blank. */
  screenText() { return this.#term.screenText(); }
  /** The operator information area line. */
  oiaText() { return this.#term.oiaText(); }
  /** The cursor as [row, col], 0-based. */
  cursor() { return Array.from(this.#term.cursor()); }

  /**
   * The fields on the screen, from the terminal's own screen model: `[{row, col, length,
   * protected, numeric, hidden, intensified, modified, text}]` (row/col of the first data
   * cell, 0-based; hidden fields have blank text).
   */
  fields() { return this.#term.fields(); }

  /** Switches the colour theme: x3270, green, dark, light, high-contrast. */
  setTheme(name) { this.#term.setTheme(name); this.#opts.theme = name; }
  /** Applies a JSON keymap (docs/KEYBOARD.md); throws with the reason when it is refused. */
  setKeymap(json) { this.#term.setKeymap(typeof json === 'string' ? json : JSON.stringify(json)); }
  /** Moves the keyboard focus to the terminal. */
  focus() { this.#term.canvas()?.focus(); }

  /**
   * Removes the terminal from the page. The websocket is closed; with `{keepSession: true}`
   * the resume token is kept so a new mount in this tab resumes the same host session.
   */
  destroy({ keepSession = false } = {}) {
    this.#wanted = false;
    clearTimeout(this.#timer);
    if (!keepSession) sessionStorage.removeItem(this.#resumeKey);
    const s = this.#socket;
    this.#socket = null;
    if (s) s.close(1000, 'destroy');
    this.#term.free();
    this.#opts.element.replaceChildren();
  }
}

/**
 * Creates a terminal in `element` and returns its Session (not yet connected unless
 * `autoConnect`). Options (all optional):
 * - `endpoint`: endpoint name (default: the bridge's default endpoint);
 * - `model`: `3279-2-E` … `3279-5-E`, `3278-2`… (default: the endpoint's);
 * - `codePage`: `cp037` (default), `cp273`, `cp1047`…;
 * - `theme`: `x3270` (default), `green`, `dark`, `light`, `high-contrast`;
 * - `fontSize`: CSS px (default: fit the element); `cursor`: `block` | `underline`;
 * - `keymap`: JSON keymap (string or object, docs/KEYBOARD.md);
 * - `readOnly`: true = the operator can select and copy but not type, paste or click (no
 *   cursor move, light pen or hotspot); `sendKeys`/`press` throw;
 * - `bridgeUrl`: the bridge's base URL (default: where this module came from);
 * - `reconnect`: reconnect with backoff after a drop (default true);
 * - `storageKey`: names this terminal's resume token in sessionStorage (default `default`);
 * - `autoConnect`: call `connect()` at once (default false).
 */
export async function mount(element, options = {}) {
  const opts = {
    endpoint: null, model: null, codePage: 'cp037', theme: 'x3270', fontSize: null,
    cursor: 'block', keymap: null, readOnly: false, bridgeUrl: DEFAULT_BRIDGE,
    reconnect: true, storageKey: 'default', autoConnect: false, ...options, element,
  };
  opts.bridgeUrl = new URL(opts.bridgeUrl, location.href).href;
  if (!opts.bridgeUrl.endsWith('/')) opts.bridgeUrl += '/';
  const mod = await loadWasm(opts.bridgeUrl);
  const termOptions = {
    model: opts.model || '3279-2-E', theme: opts.theme, codePage: opts.codePage,
    cursor: opts.cursor, readOnly: Boolean(opts.readOnly),
  };
  if (opts.fontSize) termOptions.fontSize = Number(opts.fontSize);
  element.classList.add('w3270');
  const term = new mod.WebTerminal(element, termOptions);
  const session = new Session(mod, term, opts);
  if (opts.keymap) session.setKeymap(opts.keymap);
  if (opts.autoConnect) session.connect();
  return session;
}
