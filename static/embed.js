// web3270 iframe (static/embed.html): the terminal alone, driven by its parent page through
// postMessage (docs/EMBEDDING.md). Only parents whose origin is on the allow-list may talk to
// it: the bridge's server.embed_allowed_origins (written into the page's meta tag) plus this
// page's own origin. Messages from any other origin are ignored and logged. The bridge also
// sends `Content-Security-Policy: frame-ancestors` with the same list, so other sites cannot
// even frame it.
//
// Options come from the fragment (never sent to the server): #endpoint=NAME&model=3279-2-E&
// theme=dark&codePage=cp037&fontSize=14&readOnly=1&connect=0 (connect=0: wait for a
// {type:"connect"} message). Never a ticket: fragments end up in history and bookmarks.
//
// Parent → frame: {web3270: 1, id, type: "connect" | "disconnect" | "sendKeys" (keys) |
//   "press" (key) | "screenText" | "fields" | "cursor" | "setTheme" (theme) | "focus" |
//   "ticket" (ticket: a string or {ticket, expiresIn | expiresAt})}
// Frame → parent: {web3270: 1, type: "ready"}; {web3270: 1, type: "result", id, value} or
//   {web3270: 1, type: "result", id, error}; {web3270: 1, type: "event", name, detail}
//   for connect, disconnect, screen (detail.text = the screen), bell, error, state, copy,
//   paste, selection, and auth-required ({type, reason, message}: with authentication on, the
//   frame needs a ticket — none yet, expired, or refused by the bridge — and waits for a
//   "ticket" message; it has no login form of its own).
import { mount, authInfo } from './web3270.js';

const TAG = 'web3270';
const meta = document.querySelector('meta[name="web3270-embed-origins"]');
const allowed = new Set((meta?.content ?? '').split(/\s+/).filter(Boolean));
allowed.add(location.origin);

const opts = Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
const flag = (v) => v === '1' || v === 'true';
let parentOrigin = null;

/** Sends to the parent: to the origin it spoke from, else to each allowed origin (the browser
 *  delivers only to the one that matches the parent, so nothing leaks to others). */
function post(msg) {
  if (window.parent === window) return;
  const data = { [TAG]: 1, ...msg };
  for (const origin of parentOrigin ? [parentOrigin] : allowed) window.parent.postMessage(data, origin);
}

const box = document.getElementById('error');
function showError(text) {
  box.textContent = text;
  box.hidden = !text;
}

// With authentication on, the session asks for a ticket (callback below) and the parent
// answers with a "ticket" message; the ticket stays in the session's memory.
let auth = { enabled: false, type: 'none' };
try { auth = await authInfo(); } catch (e) { console.warn('web3270 embed: GET /api/v1/auth:', e.message); }
/** Resolvers of the pending `credentials` call (at most one is pending per session). */
let ticketWaiters = [];

function credentials({ reason, message }) {
  if (!auth.enabled && reason === 'missing') return null;
  showError('Sign-in required: waiting for the page that embeds this terminal to pass a ticket.');
  post({ type: 'event', name: 'auth-required', detail: { type: auth.type, reason, message: message ?? null } });
  return new Promise((resolve) => ticketWaiters.push(resolve));
}

function acceptTicket(m) {
  const t = m.ticket ?? null;
  if (t == null || (typeof t !== 'string' && typeof t?.ticket !== 'string')) {
    throw new TypeError('ticket: a string or {ticket, expiresIn | expiresAt}');
  }
  showError('');
  session.setTicket(t); // for the next hello
  const waiting = ticketWaiters;
  ticketWaiters = [];
  for (const resolve of waiting) resolve(t); // a session waiting for it goes on
}

let session;
try {
  session = await mount(document.getElementById('screen'), {
    endpoint: opts.endpoint || null,
    model: opts.model || null,
    codePage: opts.codePage || opts.codepage || 'cp037',
    theme: opts.theme || 'x3270',
    fontSize: opts.fontSize ? Number(opts.fontSize) : null,
    readOnly: flag(opts.readOnly ?? opts.readonly),
    storageKey: `embed.${opts.endpoint || 'default'}`,
    credentials,
  });
} catch (e) {
  showError(`The terminal could not start: ${e.message}`);
  post({ type: 'event', name: 'error', detail: { code: 'LOAD', message: e.message } });
  throw e;
}
window.web3270 = { session };

for (const name of ['connect', 'disconnect', 'bell', 'error', 'state', 'warning', 'copy', 'paste', 'selection']) {
  session.on(name, (detail) => post({ type: 'event', name, detail }));
}
session.on('screen', () => post({ type: 'event', name: 'screen', detail: { text: session.screenText() } }));

const COMMANDS = {
  connect: () => session.connect(),
  disconnect: () => session.disconnect(),
  sendKeys: (m) => session.sendKeys(String(m.keys ?? '')),
  press: (m) => session.press(String(m.key ?? '')),
  screenText: () => session.screenText(),
  fields: () => session.fields(),
  cursor: () => session.cursor(),
  setTheme: (m) => session.setTheme(String(m.theme ?? '')),
  focus: () => session.focus(),
  activity: () => session.activity(),
  ticket: (m) => acceptTicket(m),
};

window.addEventListener('message', async (e) => {
  if (!allowed.has(e.origin)) {
    console.warn(`web3270 embed: ignored a message from ${e.origin} (not in the allow-list)`);
    return;
  }
  const m = e.data;
  if (!m || m[TAG] !== 1 || typeof m.type !== 'string') return;
  if (e.source !== window.parent) return; // only the page that frames us
  parentOrigin = e.origin;
  const run = Object.hasOwn(COMMANDS, m.type) ? COMMANDS[m.type] : null;
  if (!run) { post({ type: 'result', id: m.id, error: `unknown command ${m.type}` }); return; }
  try {
    const value = await run(m);
    post({ type: 'result', id: m.id, value: value ?? null });
  } catch (err) {
    post({ type: 'result', id: m.id, error: String(err?.message ?? err) });
  }
});

post({ type: 'ready' });
if (opts.connect !== '0') session.connect();
