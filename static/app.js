// web3270 page (index.html): sign-in, host list, terminal, key bar, settings. The terminal and
// its connection are the embed module's (static/web3270.js, docs/EMBEDDING.md): one code path
// for the page, the iframe and portals.
//
// Sign-in (docs/SECURITY.md, "The page"): GET /api/v1/auth says whether the bridge wants
// credentials. If so, the form comes first (nothing else is asked of the bridge before it);
// the user name and password (or the bridge's token) buy a ticket (POST /api/v1/auth/ticket)
// and are dropped at once (the inputs are emptied before the request is sent). The ticket lives
// in this module's memory only — never in storage, the URL or the DOM — and goes into the API
// calls (Authorization: Bearer) and every websocket hello. When it expires or the bridge
// refuses it, the form comes back (the terminal is hidden meanwhile, its host session kept);
// "Log out" revokes it.
//
// Settings: defaults < this browser's saved settings (localStorage) < the URL fragment, which
// is never sent to the server: #endpoint=NAME&model=3279-5-E&theme=dark&codePage=cp273&
// fontSize=14&cursor=underline. #demo shows the built-in demo screen without a bridge.
import {
  mount, listEndpoints, authInfo, requestTicket, revokeTicket, AuthError,
} from './web3270.js';

const STORE = 'web3270.settings';
const DEFAULTS = { model: '3279-2-E', codePage: 'cp037', theme: 'x3270', fontSize: '', cursor: 'block', keymap: '' };
const SETTING_KEYS = Object.keys(DEFAULTS);
const KEY_ROWS = [
  Array.from({ length: 12 }, (_, i) => `PF${i + 1}`),
  Array.from({ length: 12 }, (_, i) => `PF${i + 13}`),
  ['PA1', 'PA2', 'PA3', 'Clear', 'Attn', 'SysReq', 'Reset', 'Enter'],
];

const $ = (id) => document.getElementById(id);
const screenEl = $('screen');
const statusEl = $('status');
const noticeEl = $('notice');
const endpointEl = $('endpoint');
const form = $('settings-form');
const login = {
  section: $('login'), form: $('login-form'), intro: $('login-intro'), error: $('login-error'),
  user: $('login-user'), password: $('login-password'), token: $('login-token'),
  submit: $('login-submit'), insecure: $('login-insecure'),
};
const userEl = $('user');
const logoutEl = $('logout');

/** A ticket counts as expired this long before it does at the bridge (the module keeps a
 *  smaller margin of its own), so the form comes back before a hello could be refused. */
const TICKET_MARGIN_MS = 5000;
/** The longest delay setTimeout takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const EXPIRED_MESSAGE = 'Your sign-in has expired. Sign in again to continue.';

const fragment = new URLSearchParams(location.hash.slice(1));
/** Fragment names accepted besides the settings' own (lower-case spellings). */
const ALIASES = { codepage: 'codePage', font: 'fontSize', fontsize: 'fontSize' };

function saved() {
  try { return JSON.parse(localStorage.getItem(STORE) || '{}'); } catch { return {}; }
}

/** The settings in force: defaults, saved, then the fragment. */
function settings() {
  const s = { ...DEFAULTS, ...saved() };
  for (const [k, v] of fragment) {
    const key = ALIASES[k.toLowerCase()] ?? k;
    if (SETTING_KEYS.includes(key)) s[key] = v;
  }
  return s;
}

let session = null;
let endpoint = fragment.get('endpoint') || null;

/** The bridge's authentication (GET /api/v1/auth). */
let auth = { enabled: false, type: 'none' };
/** `{ticket, user, expiresIn, expiresAt}` from requestTicket, or null. Memory only. */
let ticket = null;
/** Who signed in last: another user signing in never gets the previous user's terminal. */
let signedInUser = null;
let expiryTimer = 0;
/** Those waiting for the form (the module's credentials callback): resolved with the ticket. */
let waiters = [];
/** The running `enter()` (host list, then the terminal), so it never runs twice at once. */
let entering = null;
/** Until when (ms) the bridge refuses sign-ins from this address (429). */
let lockedOutUntil = 0;

function showNotice(text) {
  noticeEl.textContent = text;
  noticeEl.hidden = !text;
}

function describe(st) {
  switch (st.state) {
    case 'connecting': return `connecting to ${endpoint || 'the default host'}…`;
    case 'reconnecting': return st.delayMs != null
      ? `connection lost — reconnecting in ${Math.max(1, Math.round(st.delayMs / 1000))} s`
      : 'reconnecting…';
    case 'connected': {
      const i = session?.info ?? {};
      return [i.endpoint, i.lu, i.terminal_type, i.tls ? 'TLS' : null].filter(Boolean).join(' · ');
    }
    case 'refused': return `refused: ${st.code} — ${st.message}`;
    case 'unauthorized': return 'sign-in required';
    case 'ended': return `session ended: ${st.code} — ${st.message}`;
    case 'disconnected': return 'disconnected';
    default: return st.state;
  }
}

function onState(st) {
  if (st.state !== 'connected') clearWarning();
  statusEl.dataset.state = st.state;
  statusEl.textContent = describe(st);
  const live = st.state === 'connected' || st.state === 'connecting' || st.state === 'reconnecting';
  $('connect').hidden = live;
  $('disconnect').hidden = !live;
  if (st.state === 'refused' || st.state === 'ended') {
    showNotice(`${st.state === 'refused' ? 'The bridge refused the session' : 'The session ended'}: `
      + `${st.message} (${st.code}). Choose a host and press Connect to start a new session.`);
  } else if (st.state === 'connected') {
    showNotice('');
  }
}

/** The session ends soon (the bridge's warning) or no longer (activity lifted it). The text
 *  names the end time rather than counting down, so a screen reader announces it once. */
let warningCode = null;
function onWarning(w) {
  const box = $('warning');
  if (w.cleared) {
    if (warningCode === w.code) { box.hidden = true; warningCode = null; }
    return;
  }
  const at = new Date(w.endsAt).toLocaleTimeString();
  const idle = w.code === 'IDLE_TIMEOUT_SOON';
  $('warning-text').textContent = idle
    ? `No activity: this session ends at ${at} unless you use it.`
    : `This session reaches its time limit at ${at}.`;
  $('stay').hidden = !idle;
  warningCode = w.code;
  box.hidden = false;
}

function clearWarning() {
  $('warning').hidden = true;
  warningCode = null;
}

$('stay').addEventListener('click', () => {
  session?.activity();
  session?.focus();
});

/** The page's own colours follow the terminal's theme (style.css: `:root[data-theme]`). */
function applyPageTheme(theme) {
  document.documentElement.dataset.theme = theme || DEFAULTS.theme;
}

async function start({ resume = true } = {}) {
  const s = settings();
  applyPageTheme(s.theme);
  if (session) session.destroy({ keepSession: resume });
  session = null;
  try {
    session = await mount(screenEl, {
      endpoint, model: s.model, codePage: s.codePage, theme: s.theme,
      fontSize: s.fontSize ? Number(s.fontSize) : null, cursor: s.cursor,
      ticket: auth.enabled ? ticket : null, credentials,
    });
  } catch (e) {
    statusEl.dataset.state = 'error';
    statusEl.textContent = 'the terminal could not start';
    showNotice(`The terminal could not start: ${e.message}`);
    return;
  }
  if (s.keymap) {
    try { session.setKeymap(s.keymap); } catch (e) { showNotice(`Keymap ignored: ${e.message}`); }
  }
  session.on('state', onState);
  session.on('warning', onWarning);
  window.web3270 = { session, mount }; // for the console and the end-to-end tests
  if (fragment.has('demo')) {
    session.terminal.loadDemo();
    statusEl.textContent = 'demo screen (no host)';
  } else {
    session.connect();
  }
  session.focus();
}

async function fillEndpoints() {
  let list = [];
  for (;;) {
    try {
      list = await listEndpoints(undefined, { ticket: auth.enabled ? ticket : null });
    } catch (e) {
      if (e instanceof AuthError && e.status === 401 && auth.enabled) {
        ticket = null;
        await signIn(refusedMessage(e.message));
        continue;
      }
      console.warn('web3270:', e.message);
    }
    break;
  }
  endpointEl.replaceChildren();
  const names = list.map((e) => e.name);
  if (endpoint && !names.includes(endpoint)) names.unshift(endpoint); // so a refusal shows it
  for (const name of names) {
    const e = list.find((x) => x.name === name);
    const opt = new Option(e ? `${name}${e.status && e.status !== 'unknown' ? ` (${e.status})` : ''}` : name, name);
    endpointEl.add(opt);
  }
  if (!endpoint && list.length) {
    endpoint = [...list].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))[0].name;
  }
  if (endpoint) endpointEl.value = endpoint;
  endpointEl.disabled = names.length < 2;
}

function buildKeyBar() {
  const bar = $('keys');
  for (const row of KEY_ROWS) {
    const div = document.createElement('div');
    div.className = 'row';
    for (const key of row) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = key;
      b.dataset.key = key;
      b.setAttribute('aria-label', key.replace(/^PF/, 'PF ').replace(/^PA/, 'PA '));
      div.append(b);
    }
    bar.append(div);
  }
  // Keep the focus on the terminal (no blur on press), and act on click (mouse, touch, keyboard).
  bar.addEventListener('pointerdown', (e) => { if (e.target.closest('button')) e.preventDefault(); });
  bar.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b || !session) return;
    try { session.press(b.dataset.key); } catch (err) { console.warn('web3270:', err.message); }
    session.focus();
  });
}

function fillForm() {
  const s = settings();
  for (const k of SETTING_KEYS) if (form.elements[k]) form.elements[k].value = s[k] ?? '';
}

function setupSettings() {
  const panel = $('settings');
  const toggle = $('settings-toggle');
  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) { fillForm(); form.elements.model.focus(); } else session?.focus();
    session?.terminal.fit();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const before = settings();
    const next = {};
    for (const k of SETTING_KEYS) next[k] = form.elements[k].value.trim();
    if (next.keymap) {
      try { JSON.parse(next.keymap); } catch (err) {
        $('settings-error').textContent = `Keymap is not JSON: ${err.message}`;
        return;
      }
    }
    $('settings-error').textContent = '';
    localStorage.setItem(STORE, JSON.stringify(next));
    for (const k of SETTING_KEYS) fragment.delete(k); // saved settings win over the fragment now
    const after = settings();
    if (['fontSize', 'cursor', 'codePage'].some((k) => before[k] !== after[k])) {
      await start({ resume: true }); // a new terminal, the same host session
    } else {
      if (before.theme !== after.theme) {
        session?.setTheme(after.theme);
        applyPageTheme(after.theme);
      }
      if (after.keymap !== before.keymap) {
        try { session?.setKeymap(after.keymap || '{}'); } catch (err) {
          $('settings-error').textContent = `Keymap refused: ${err.message}`;
          return;
        }
      }
    }
    panel.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    session?.terminal.fit();
    session?.focus();
  });
  $('settings-reset').addEventListener('click', () => {
    localStorage.removeItem(STORE);
    fillForm();
  });
}

// ---------------------------------------------------------------------------------------------
// The screen as text: Copy screen, Save, Print (the rows as the screen shows them, so hidden
// fields such as passwords are blank).

/** The heading of a saved or printed screen: host, LU and when. */
function screenHeading(when) {
  const info = session?.info ?? {};
  const host = info.endpoint ?? endpoint ?? '';
  return `web3270 — ${host}${info.lu ? ` · LU ${info.lu}` : ''} · ${when.toLocaleString()}`;
}

/** The screen with its heading: what Save writes and Print prints. */
function screenDocument(when = new Date()) {
  return `${screenHeading(when)}\n\n${session?.screenText() ?? ''}\n`;
}

/** Fills the print copy; `beforeprint` runs it for any print (button, Ctrl+P, the menu,
 *  WebDriver's Print), so nothing is done per host write. */
function updatePrintout() {
  const out = $('printout');
  if (!session) { out.textContent = ''; return; }
  const text = screenDocument();
  out.textContent = text;
  out.toggleAttribute('data-wide', text.split('\n').some((l) => l.length > 100));
}
window.addEventListener('beforeprint', updatePrintout);

let noteTimer = null;
/** A short confirmation next to the buttons (announced politely). */
function toolNote(text) {
  const note = $('tool-note');
  note.textContent = text;
  clearTimeout(noteTimer);
  noteTimer = setTimeout(() => { note.textContent = ''; }, 4000);
}

/** Copies `text` with the Clipboard API, or (plain HTTP: no secure context) the older way. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // No clipboard API here, or it refused: a selected, off-screen textarea and "copy".
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.cssText = 'position:fixed;top:0;left:0;opacity:0;';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser did not allow copying');
}

$('copy-screen').addEventListener('click', async () => {
  if (!session) return;
  try {
    await copyText(session.screenText());
    toolNote('Screen copied');
  } catch (e) {
    toolNote(`Not copied: ${e.message}`);
  }
  session.focus();
});

$('save-screen').addEventListener('click', () => {
  if (!session) return;
  const when = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-`
    + `${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  const host = (session.info?.endpoint ?? endpoint ?? 'screen').replace(/[^A-Za-z0-9._-]/g, '_');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([screenDocument(when)], { type: 'text/plain;charset=utf-8' }));
  link.download = `web3270-${host}-${stamp}.txt`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  toolNote(`Saved ${link.download}`);
  session.focus();
});

$('print-screen').addEventListener('click', () => {
  if (!session) return;
  window.print(); // `beforeprint` fills the print copy
  session.focus();
});

$('connect').addEventListener('click', () => {
  endpoint = endpointEl.value || endpoint;
  showNotice('');
  start({ resume: false });
});
$('disconnect').addEventListener('click', () => session?.disconnect());
endpointEl.addEventListener('change', () => {
  endpoint = endpointEl.value;
  showNotice('');
  start({ resume: false });
});

// ---------------------------------------------------------------------------------------------
// Sign-in.

/** The host list, then the terminal: after the sign-in (or at once without authentication). */
function enter() {
  entering ??= (async () => {
    try {
      await fillEndpoints();
      await start();
    } finally {
      entering = null;
    }
  })();
  return entering;
}

/** The module's `credentials` callback: a valid ticket, or the form's next one. */
async function credentials({ reason, message }) {
  if (reason === 'refused' && !auth.enabled) {
    // Refused although the bridge said "no authentication" (or could not be asked): ask again.
    auth = await authInfo().catch(() => auth);
    configureForm();
  }
  if (!auth.enabled) return null;
  if (reason !== 'refused' && ticketValid()) return ticket;
  ticket = null;
  return signIn(reason === 'refused' ? refusedMessage(message) : EXPIRED_MESSAGE);
}

function ticketValid() {
  return Boolean(ticket) && ticket.expiresAt - TICKET_MARGIN_MS > Date.now();
}

function refusedMessage(reason) {
  return `The bridge no longer accepts your sign-in${reason ? ` (${reason})` : ''}. `
    + 'Sign in again to continue.';
}

/** Shows the form (with `message`, announced) and resolves with the next ticket. */
function signIn(message = '') {
  lock(message);
  return new Promise((resolve) => waiters.push(resolve));
}

/** Hides the terminal, its keys and host controls; shows the form with `message`. */
function lock(message, { info = false } = {}) {
  const wasLocked = !login.section.hidden;
  document.body.dataset.locked = '';
  login.section.hidden = false;
  showNotice('');
  if (message) say(message, info ? 'info' : 'error');
  if (wasLocked) return; // the user may be typing: keep the focus where it is
  if (auth.type === 'basic') {
    if (signedInUser && !login.user.value) login.user.value = signedInUser;
    (login.user.value ? login.password : login.user).focus();
  } else {
    login.token.focus();
  }
}

/** The form's message, in its role=alert region (the same text again is announced again);
 *  `kind`: `error` or `info` (styling only). */
function say(text, kind = 'error') {
  login.error.dataset.kind = kind;
  if (login.error.textContent === text && text) {
    login.error.textContent = '';
    setTimeout(() => { login.error.textContent = text; }, 100);
  } else {
    login.error.textContent = text;
  }
}

/** The form for the bridge's type: user name + password (basic) or the token (bearer). */
function configureForm() {
  const basic = auth.type === 'basic';
  $('login-basic').hidden = !basic;
  $('login-bearer').hidden = basic;
  login.user.disabled = login.password.disabled = !basic;
  login.token.disabled = basic;
  login.intro.textContent = basic
    ? 'This terminal bridge requires you to sign in with your user name and password.'
    : 'This terminal bridge requires its access token.';
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);
  login.insecure.hidden = location.protocol !== 'http:' || local;
}

function setBusy(busy) {
  login.form.setAttribute('aria-busy', String(busy));
  login.submit.disabled = busy || Date.now() < lockedOutUntil;
  login.submit.textContent = busy ? 'Signing in…' : 'Sign in';
}

function invalid(input, text) {
  input.setAttribute('aria-invalid', 'true');
  say(text);
  input.focus();
}

async function submitSignIn(e) {
  e.preventDefault();
  if (login.form.getAttribute('aria-busy') === 'true' || Date.now() < lockedOutUntil) return;
  for (const input of [login.user, login.password, login.token]) input.removeAttribute('aria-invalid');
  const basic = auth.type === 'basic';
  const user = login.user.value.trim();
  if (basic && !user) { invalid(login.user, 'Enter your user name.'); return; }
  const secretEl = basic ? login.password : login.token;
  const secret = basic ? secretEl.value : secretEl.value.trim();
  if (!secret) { invalid(secretEl, basic ? 'Enter your password.' : 'Enter the access token.'); return; }
  // The secret leaves the form before the request is sent: only this call holds it.
  secretEl.value = '';
  say('');
  setBusy(true);
  let t;
  try {
    t = await requestTicket(basic ? { user, password: secret } : { token: secret });
  } catch (err) {
    setBusy(false);
    refused(err, secretEl);
    return;
  }
  setBusy(false);
  signedIn(t);
}

/** Says why the sign-in failed. */
function refused(err, secretEl) {
  if (!(err instanceof AuthError)) {
    say(`The bridge could not be reached (${err.message}). Try again.`);
    secretEl.focus();
  } else if (err.status === 429) {
    const seconds = err.retryAfter ?? Number(/(\d+)\s*s\b/.exec(err.message)?.[1] ?? 60);
    lockedOutUntil = Date.now() + seconds * 1000;
    login.submit.disabled = true;
    say(`Too many failed sign-in attempts from this address. Try again in ${seconds} s.`);
    setTimeout(() => {
      if (Date.now() < lockedOutUntil) return;
      login.submit.disabled = false;
      if (!login.section.hidden) say('You can try to sign in again now.', 'info');
    }, seconds * 1000);
  } else if (err.status === 401) {
    invalid(secretEl, auth.type === 'basic'
      ? 'The user name or password is incorrect.'
      : 'The access token is incorrect.');
  } else if (err.code === 'HTTPS_REQUIRED') {
    say('This bridge accepts sign-ins over HTTPS only: open this page with an https:// address.');
  } else {
    say(`The bridge refused the sign-in: ${err.message}`);
  }
}

/** A ticket: hide the form, go on where the sign-in was needed. */
function signedIn(t) {
  const previous = signedInUser;
  ticket = t;
  signedInUser = t.user;
  login.form.reset();
  say('');
  armExpiry();
  userEl.textContent = `Signed in as ${t.user}`;
  userEl.hidden = false;
  logoutEl.hidden = false;
  login.section.hidden = true;
  delete document.body.dataset.locked;
  if (session && previous && previous !== t.user) {
    // Another user: the previous user's terminal is not theirs to see or resume.
    session.destroy();
    session = null;
  }
  session?.setTicket(t);
  const waiting = waiters;
  waiters = [];
  for (const resolve of waiting) resolve(t); // e.g. the module reconnects with the new ticket
  if (session) {
    session.terminal.fit();
    session.focus();
  } else {
    enter();
  }
}

/** Locks the page when the ticket expires (the session goes on until the user is back, or
 *  logs out: the header keeps the Log out button). */
function armExpiry() {
  clearTimeout(expiryTimer);
  const wait = ticket.expiresAt - TICKET_MARGIN_MS - Date.now();
  expiryTimer = setTimeout(() => {
    if (ticketValid()) { armExpiry(); return; } // a lifetime longer than one timer
    ticket = null;
    userEl.textContent = `${signedInUser}: sign-in expired`;
    lock(EXPIRED_MESSAGE);
  }, Math.min(Math.max(wait, 0), MAX_TIMER_MS));
}

/** Log out: end the terminal, revoke the ticket, back to the form. */
async function logOut() {
  const old = ticket;
  ticket = null;
  signedInUser = null;
  clearTimeout(expiryTimer);
  session?.destroy(); // closes the websocket and forgets the resume token
  session = null;
  delete window.web3270;
  endpointEl.replaceChildren();
  userEl.hidden = true;
  logoutEl.hidden = true;
  userEl.textContent = '';
  statusEl.dataset.state = 'idle';
  statusEl.textContent = 'signed out';
  lock('You have signed out.', { info: true });
  try { await revokeTicket(old); } catch (e) { console.warn('web3270: logout:', e.message); }
}

// A new fragment is a new configuration (a portal link followed in the same tab).
window.addEventListener('hashchange', () => location.reload());
login.form.addEventListener('submit', submitSignIn);
logoutEl.addEventListener('click', logOut);

applyPageTheme(settings().theme);
buildKeyBar();
setupSettings();
if (!fragment.has('demo')) { // the demo screen needs no bridge
  try {
    auth = await authInfo();
  } catch (e) {
    console.warn('web3270: GET /api/v1/auth:', e.message);
    if (e instanceof AuthError) showNotice(`The bridge refused the page: ${e.message} (${e.code}).`);
  }
}
configureForm();
if (auth.enabled) {
  statusEl.textContent = 'sign-in required';
  lock('');
} else {
  await enter();
}
