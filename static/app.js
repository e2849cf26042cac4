// web3270 page (index.html): host list, terminal, key bar, settings. The terminal and its
// connection are the embed module's (static/web3270.js, docs/EMBEDDING.md): one code path for
// the page, the iframe and portals.
//
// Settings: defaults < this browser's saved settings (localStorage) < the URL fragment, which
// is never sent to the server: #endpoint=NAME&model=3279-5-E&theme=dark&codePage=cp273&
// fontSize=14&cursor=underline. #demo shows the built-in demo screen without a bridge.
import { mount, listEndpoints } from './web3270.js';

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
    case 'ended': return `session ended: ${st.code} — ${st.message}`;
    case 'disconnected': return 'disconnected';
    default: return st.state;
  }
}

function onState(st) {
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

async function start({ resume = true } = {}) {
  const s = settings();
  if (session) session.destroy({ keepSession: resume });
  session = null;
  try {
    session = await mount(screenEl, {
      endpoint, model: s.model, codePage: s.codePage, theme: s.theme,
      fontSize: s.fontSize ? Number(s.fontSize) : null, cursor: s.cursor,
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
  try { list = await listEndpoints(); } catch (e) { console.warn('web3270:', e.message); }
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
      if (before.theme !== after.theme) session?.setTheme(after.theme);
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

// A new fragment is a new configuration (a portal link followed in the same tab).
window.addEventListener('hashchange', () => location.reload());

buildKeyBar();
setupSettings();
await fillEndpoints();
await start();
