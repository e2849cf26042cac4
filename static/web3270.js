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
// session, records, control), reconnect with backoff and resume, events, and the client side
// of the bridge's authentication (GET /api/v1/auth, tickets, `hello.auth`; docs/SECURITY.md).
// What it does not: rendering, keyboard mapping, the 3270 data stream (all in the wasm,
// web-client/), a login form (the page's, static/app.js).

/** The wasm terminal and its init function, loaded once per page. */
let wasmReady = null;

/** The bridge's base URL by default: where this module was loaded from (…/static/web3270.js). */
const DEFAULT_BRIDGE = new URL('..', import.meta.url).href;

/** The websocket subprotocol (docs/WEBSOCKET.md). */
export const PROTOCOL = 'web3270.v1';

/** Close codes after which reconnecting cannot help (docs/WEBSOCKET.md §5). 4401 (refused
 *  credentials) is retried only with a new ticket from the `credentials` callback. */
const FATAL_CLOSE = new Set([4000, 4400, 4401, 4404, 4410, 4429, 4500, 4502]);

/** The close code of an `UNAUTHORIZED` refusal (docs/WEBSOCKET.md §5). */
const CLOSE_UNAUTHORIZED = 4401;

/** A ticket is treated as expired this long before the bridge would refuse it, so a hello is
 *  never sent with a ticket that expires on the way (each refusal counts towards the bridge's
 *  brute-force lockout). */
const TICKET_MARGIN_MS = 2000;

/** Backoff between reconnect attempts: 1 s, 2 s, 4 s … at most 15 s, ±20 % jitter. */
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 15000;

/** Local typing and clicks are reported to the bridge as `activity` (so its idle timeout
 *  counts the user, not only what reaches the host) at most this often, and at once while an
 *  idle warning stands. */
const ACTIVITY_EVERY_MS = 20000;

/** Events of the WebTerminal re-emitted by the Session with the same detail. */
const TERMINAL_EVENTS = ['bell', 'copy', 'paste', 'selection'];

/** Thrown (and sent as an `error` event) when the wasm is missing or fails to load. */
export class LoadError extends Error {}

/**
 * An API request refused for authentication: `status` 401 (`UNAUTHORIZED`: no, wrong or
 * expired credentials), 403 (`HTTPS_REQUIRED`, or a ticket used to get a ticket), 429
 * (`RATE_LIMIT_EXCEEDED`: too many failures from this address; `retryAfter` in seconds).
 * `message` is the bridge's.
 */
export class AuthError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/**
 * The fetch credentials mode of every API call: `omit`. The bridge uses no cookies (its
 * credentials are the Authorization header we set), and with credentials included a 401 that
 * carries `WWW-Authenticate: Basic` makes the browser open its own login dialog over the page
 * (Fetch standard, "HTTP-network-or-cache fetch": the 401 prompt) instead of handing us the 401.
 */
const API_CREDENTIALS = 'omit';

/** The statuses an API answer is an [`AuthError`] for. */
const AUTH_STATUSES = new Set([401, 403, 429]);

/** Throws an AuthError for a refused API answer (401, 403, 429), an Error for another failure. */
async function failure(r, what) {
  let body = {};
  try { body = await r.json(); } catch { /* not the API's JSON */ }
  const message = body.message || `HTTP ${r.status}`;
  if (AUTH_STATUSES.has(r.status)) {
    const after = Number.parseInt(r.headers.get('Retry-After') ?? '', 10);
    throw new AuthError(r.status, body.err || `HTTP_${r.status}`, message,
      Number.isFinite(after) ? after : null);
  }
  throw new Error(`${what}: ${message}`);
}

/** `{ticket, expiresAt}` (ms, this browser's clock) from what a caller passes as a ticket:
 *  the string, or an object `{ticket, expiresAt | expiresIn | expires_in}` (the answer of
 *  `requestTicket` or of the bridge). Without a lifetime it never expires here. */
function normaliseTicket(t) {
  if (t == null || t === '') return null;
  if (typeof t === 'string') return { ticket: t, expiresAt: Infinity };
  if (typeof t.ticket !== 'string' || !t.ticket) {
    throw new TypeError('ticket: a string, or an object {ticket, expiresAt | expiresIn}');
  }
  const seconds = t.expiresIn ?? t.expires_in;
  let expiresAt = Infinity;
  if (t.expiresAt != null) expiresAt = Number(new Date(t.expiresAt));
  else if (seconds != null) expiresAt = Date.now() + Number(seconds) * 1000;
  return { ticket: t.ticket, expiresAt: Number.isNaN(expiresAt) ? Infinity : expiresAt };
}

/** Whether a normalised ticket is (about to be) expired. */
function expired(t) {
  return t.expiresAt - TICKET_MARGIN_MS <= Date.now();
}

/** The `Authorization` header value for a ticket (string or object). */
function bearer(ticket) {
  const t = normaliseTicket(ticket);
  return t ? { Authorization: `Bearer ${t.ticket}` } : {};
}

/** Base64 of a string's UTF-8 bytes (RFC 7617 with charset="UTF-8"; `btoa` alone takes Latin-1). */
function base64Utf8(text) {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Whether and how the bridge wants credentials (public, `GET /api/v1/auth`):
 * `{enabled, type: "none"|"basic"|"bearer", ticket_lifetime_seconds, require_https}`. A bridge
 * without the route (404) needs none. Throws an AuthError for 403 `HTTPS_REQUIRED`.
 */
export async function authInfo(bridgeUrl = DEFAULT_BRIDGE) {
  const r = await fetch(new URL('api/v1/auth', bridgeUrl), { credentials: API_CREDENTIALS });
  if (r.status === 404) return { enabled: false, type: 'none' };
  if (!r.ok) await failure(r, 'GET /api/v1/auth');
  return r.json();
}

/**
 * Logs in: `POST /api/v1/auth/ticket` with `{user, password}` (type basic) or `{token}` (type
 * bearer) as the `Authorization` header. Resolves with `{ticket, user, expiresIn, expiresAt}`
 * (`expiresAt`: ms on this browser's clock); throws an AuthError when refused. Nothing of the
 * credentials is kept: the caller should drop its own copies (clear the form) at once.
 */
export async function requestTicket(credentials, bridgeUrl = DEFAULT_BRIDGE) {
  const { user, password, token } = credentials ?? {};
  let authorization;
  if (token != null) authorization = `Bearer ${token}`;
  else if (user != null && password != null) {
    if (String(user).includes(':')) {
      throw new AuthError(401, 'UNAUTHORIZED', 'a user name cannot contain ":"');
    }
    authorization = `Basic ${base64Utf8(`${user}:${password}`)}`;
  } else throw new TypeError('requestTicket: {user, password} or {token}');
  const r = await fetch(new URL('api/v1/auth/ticket', bridgeUrl), {
    method: 'POST', credentials: API_CREDENTIALS, cache: 'no-store',
    headers: { Authorization: authorization },
  });
  if (r.status !== 201) await failure(r, 'POST /api/v1/auth/ticket');
  const body = await r.json();
  return {
    ticket: body.ticket, user: body.user, expiresIn: body.expires_in,
    expiresAt: Date.now() + body.expires_in * 1000,
  };
}

/** Logs out: `DELETE /api/v1/auth/ticket` revokes the ticket at the bridge (204). A ticket
 *  the bridge no longer knows (expired, bridge restarted) is gone already: not an error. */
export async function revokeTicket(ticket, bridgeUrl = DEFAULT_BRIDGE) {
  const t = normaliseTicket(ticket);
  if (!t || expired(t)) return; // nothing to revoke; presenting it would count as a failure
  const r = await fetch(new URL('api/v1/auth/ticket', bridgeUrl), {
    method: 'DELETE', credentials: API_CREDENTIALS, headers: bearer(ticket),
  });
  if (r.ok || r.status === 401 || r.status === 400) return;
  await failure(r, 'DELETE /api/v1/auth/ticket');
}

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

/** The endpoints the bridge offers: `[{name, status, active_sessions, …}]`. With
 *  authentication on, pass `{ticket}`; a refusal throws an AuthError (401: sign in again). */
export async function listEndpoints(bridgeUrl = DEFAULT_BRIDGE, { ticket = null } = {}) {
  const r = await fetch(new URL('api/v1/endpoints', bridgeUrl), {
    credentials: API_CREDENTIALS, headers: bearer(ticket),
  });
  if (!r.ok) await failure(r, 'GET /api/v1/endpoints');
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
    case 'refused': case 'unauthorized':
      return ['refused', { code: extra.code ?? '', message: extra.message ?? '' }];
    case 'connecting': return ['connecting', null];
    default: return ['disconnected', null]; // ended, disconnected
  }
}

/**
 * A terminal session on the page. Events (`on(name, fn)` or `addEventListener`, CustomEvent
 * with `detail`): `connect` (the bridge's session message), `disconnect` ({code, reason,
 * reconnecting, delayMs}), `screen` (after host writes), `bell` (the host sounded the
 * alarm), `error` ({code, message}), `state` ({state, code?, message?}), `warning` (the
 * session ends soon: {code: `IDLE_TIMEOUT_SOON` | `SESSION_TIMEOUT_SOON`, seconds, endsAt
 * (ms since the epoch), message}; {code, cleared: true} when activity lifted the idle one), and
 * from the operator: `copy` ({text}), `paste` ({typed, consumed, end}), `selection` ({top,
 * left, bottom, right} or null).
 *
 * Authentication: the ticket (option `ticket`, `setTicket`) goes into every `hello` as
 * `"auth": {"ticket": …}`, resumes included; it lives in a private field only (never in
 * storage, the URL or `options`). A ticket known to be expired is never sent. When there is
 * none, it has expired, or the bridge refused it (close 4401), the session calls the
 * `credentials` callback for a new one and goes on; without a callback it stops in state
 * `unauthorized` until `setTicket()` and `connect()`.
 */
export class Session extends EventTarget {
  #term; #opts; #socket = null; #retry = 0; #timer = 0; #wanted = false; #state = 'idle';
  #screenQueued = false; #resumeKey; #info = null; #mod;
  /** `{ticket, expiresAt}` or null; `#noTicket`: the callback said none is needed. */
  #ticket = null; #noTicket = false;
  /** The `credentials` callback is running (`#askGen` tells a stale answer from the last). */
  #asking = false; #askGen = 0;
  /** The bridge's message with the last UNAUTHORIZED refusal. */
  #refusal = '';
  /** When `activity` was last sent (ms); whether an idle warning stands. */
  #lastActivity = 0; #idleWarned = false;

  constructor(mod, term, opts) {
    super();
    this.#mod = mod;
    this.#term = term;
    this.#ticket = normaliseTicket(opts.ticket);
    delete opts.ticket; // not readable through `options`
    this.#opts = opts;
    this.#resumeKey = `web3270.resume.${opts.storageKey}`;
    term.setOnSend((msg) => {
      if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(msg);
    });
    for (const name of TERMINAL_EVENTS) {
      term.on(name, (detail) => this.#emit(name, detail === undefined ? {} : detail));
    }
    // The user at the terminal (capture: before the terminal's own handlers).
    for (const type of ['keydown', 'pointerdown', 'input']) {
      opts.element.addEventListener(type, () => this.#noteActivity(), true);
    }
  }

  /** Reports local use to the bridge, throttled (see ACTIVITY_EVERY_MS). A read-only
   *  terminal sends nothing on its own (its embedder may call `activity()`). */
  #noteActivity() {
    if (this.#opts.readOnly) return;
    if (this.#idleWarned || Date.now() - this.#lastActivity >= ACTIVITY_EVERY_MS) this.activity();
  }

  /**
   * Tells the bridge the user is here: its idle timeout starts again (an `IDLE_TIMEOUT_SOON`
   * warning is lifted). Nothing reaches the host. Local typing and clicks call it already.
   */
  activity() {
    if (this.#socket?.readyState !== WebSocket.OPEN) return;
    this.#lastActivity = Date.now();
    this.#socket.send(JSON.stringify({ type: 'activity' }));
  }

  /** The WebTerminal (escape hatch: renderNow, cellRect, keyAction… docs/WEB-CLIENT.md). */
  get terminal() { return this.#term; }
  /** `idle`, `connecting`, `connected`, `reconnecting`, `refused`, `unauthorized`, `ended`,
   *  `disconnected`. */
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
    if (this.#asking || (this.#socket && this.#socket.readyState <= WebSocket.OPEN)) return;
    this.#open();
  }

  /**
   * Sets the ticket for the next `hello` (a string, or `{ticket, expiresAt | expiresIn}` as
   * `requestTicket` returns it; null: none). An open websocket is not touched (the bridge
   * checks credentials when a websocket says hello).
   */
  setTicket(ticket) {
    this.#ticket = normaliseTicket(ticket);
    this.#noTicket = false;
  }

  /** Closes the websocket and forgets the session (the bridge ends it after its grace). */
  disconnect() {
    this.#wanted = false;
    this.#stopAsking();
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

  /** Stops waiting for the `credentials` callback (its answer will be ignored). */
  #stopAsking() {
    this.#askGen++;
    this.#asking = false;
  }

  /** Why a hello cannot be sent now: `missing`, `expired`, or null (go ahead). */
  #ticketProblem() {
    if (!this.#ticket) return this.#noTicket ? null : 'missing';
    return expired(this.#ticket) ? 'expired' : null;
  }

  /**
   * Asks the `credentials` callback for a ticket (`reason`: `missing`, `expired`, `refused`),
   * then opens; state `unauthorized` while it runs (`connecting` for the first ticket).
   * An answer of null: for `missing`, connect without credentials (authentication is off);
   * otherwise stay `unauthorized`.
   */
  async #ask(reason, message) {
    const gen = ++this.#askGen;
    this.#asking = true;
    if (reason === 'missing') this.#setState(this.#retry ? 'reconnecting' : 'connecting');
    else if (this.#state !== 'unauthorized') {
      this.#setState('unauthorized', { code: 'UNAUTHORIZED', message, reason });
    }
    let answer = null;
    try {
      answer = await this.#opts.credentials({ reason, message });
    } catch (e) {
      console.warn('web3270: the credentials callback failed:', e);
    }
    if (gen !== this.#askGen) return; // disconnected, destroyed, or asked again meanwhile
    this.#asking = false;
    if (!this.#wanted) return;
    try {
      this.#ticket = normaliseTicket(answer);
    } catch (e) {
      console.warn('web3270:', e.message);
      this.#ticket = null;
    }
    if (!this.#ticket && reason !== 'missing') return;
    this.#noTicket = !this.#ticket;
    this.#open({ asked: true });
  }

  /** Stops in state `unauthorized` (no usable credentials, nobody to ask). */
  #unauthorized(message) {
    this.#setState('unauthorized', { code: 'UNAUTHORIZED', message });
    this.#emit('error', { code: 'UNAUTHORIZED', message, fatal: true });
  }

  #open({ asked = false } = {}) {
    const problem = this.#ticketProblem();
    if (problem === 'expired' || (problem === 'missing' && asked)) {
      // Never present a ticket known to be expired: the bridge would count a failure.
      this.#ticket = null;
      if (this.#opts.credentials && !asked) this.#ask('expired', 'the sign-in has expired');
      else this.#unauthorized('the sign-in has expired: a new ticket is needed');
      return;
    }
    if (problem === 'missing' && this.#opts.credentials) {
      this.#ask('missing', null);
      return;
    }
    const url = new URL('ws', this.#opts.bridgeUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url.href, PROTOCOL);
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    this.#setState(this.#retry ? 'reconnecting' : 'connecting');
    socket.onopen = () => {
      const resume = sessionStorage.getItem(this.#resumeKey);
      const hello = {
        type: 'hello',
        endpoint: this.#opts.endpoint || null,
        model: this.#opts.model || null,
        resume,
      };
      if (this.#ticket) hello.auth = { ticket: this.#ticket.ticket };
      socket.send(JSON.stringify(hello));
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
      this.#idleWarned = false; // the bridge repeats a warning that still holds
      sessionStorage.setItem(this.#resumeKey, m.resume_token);
      this.#term.beginSession(m);
      this.#setState('connected', { endpoint: m.endpoint, lu: m.lu, tls: m.tls });
      this.#emit('connect', m);
      this.#queueScreen();
    } else if (m.type === 'warning') {
      if (m.code === 'IDLE_TIMEOUT_SOON') this.#idleWarned = true;
      const seconds = Number(m.seconds) || 0;
      this.#emit('warning', { code: m.code, seconds, endsAt: Date.now() + seconds * 1000, message: m.message });
    } else if (m.type === 'warning_cleared') {
      if (m.code === 'IDLE_TIMEOUT_SOON') this.#idleWarned = false;
      this.#emit('warning', { code: m.code, cleared: true });
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
      if (m.code === 'UNAUTHORIZED') {
        // The ticket was refused (expired, revoked, bridge restarted) or this address is
        // locked out: a new one is needed; the resume token stays valid for its user.
        this.#ticket = null;
        this.#refusal = m.message;
        this.#setState('unauthorized', { code: m.code, message: m.message, reason: 'refused' });
      } else if (fatal) this.#setState('refused', { code: m.code, message: m.message });
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
    if (e.code === CLOSE_UNAUTHORIZED && this.#wanted && this.#opts.credentials) {
      // Refused credentials: ask for new ones, then go on (resuming the session).
      this.#emit('disconnect', { code: e.code, reason: e.reason, reconnecting: true, delayMs: 0 });
      this.#ask('refused', this.#refusal || e.reason);
      return;
    }
    const fatal = FATAL_CLOSE.has(e.code) || !this.#wanted || !this.#opts.reconnect;
    if (fatal) {
      if (!['refused', 'unauthorized', 'ended'].includes(this.#state)) {
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
    this.#stopAsking();
    this.#ticket = null;
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
 * - `autoConnect`: call `connect()` at once (default false);
 * - `ticket`: with authentication on, the ticket for the `hello` (a string, or
 *   `{ticket, expiresAt | expiresIn}`; from `requestTicket` or a portal's backend);
 * - `credentials`: `async ({reason, message}) => ticket | null`, called when a ticket is
 *   needed: `missing` (none yet), `expired`, `refused` (the bridge said UNAUTHORIZED; `message`
 *   is its reason). Resolve with a ticket to go on; null means "no credentials" (connects
 *   without for `missing`, else stays `unauthorized`).
 */
export async function mount(element, options = {}) {
  const opts = {
    endpoint: null, model: null, codePage: 'cp037', theme: 'x3270', fontSize: null,
    cursor: 'block', keymap: null, readOnly: false, bridgeUrl: DEFAULT_BRIDGE,
    reconnect: true, storageKey: 'default', autoConnect: false, ticket: null, credentials: null,
    ...options, element,
  };
  if (opts.credentials != null && typeof opts.credentials !== 'function') {
    throw new TypeError('mount: credentials must be a function');
  }
  normaliseTicket(opts.ticket); // a malformed ticket fails here, not at connect
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
