// web3270 page: the wasm terminal connected to the bridge's websocket (docs/WEBSOCKET.md).
// Settings come from the URL fragment, which is never sent to the server:
//   #endpoint=NAME&model=3279-4-E&theme=dark&cursor=underline   (all optional)
//   #demo   shows the built-in demo screen without a bridge.
import init, { WebTerminal } from './pkg/web_client.js';

await init();
const screen = document.getElementById('screen');
const status = document.getElementById('status');
const settings = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
const term = new WebTerminal(screen, {
  theme: settings.get('theme') || 'x3270',
  model: settings.get('model') || '3279-2-E',
  cursor: settings.get('cursor') || 'block',
});
const theme = document.getElementById('theme');
theme.value = settings.get('theme') || 'x3270';
theme.addEventListener('change', () => { term.setTheme(theme.value); term.canvas().focus(); });
window.web3270 = term; // for debugging from the console

const RESUME_KEY = 'web3270.resume';
let socket = null;
let retry = 0;

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  socket = new WebSocket(`${scheme}://${location.host}/ws`, 'web3270.v1');
  socket.binaryType = 'arraybuffer';
  status.textContent = 'connecting…';
  socket.onopen = () => {
    socket.send(JSON.stringify({
      type: 'hello',
      endpoint: settings.get('endpoint'),
      model: settings.get('model'),
      resume: sessionStorage.getItem(RESUME_KEY),
    }));
  };
  socket.onmessage = (e) => {
    if (typeof e.data !== 'string') {
      term.feedRecord(new Uint8Array(e.data));
      return;
    }
    const m = JSON.parse(e.data);
    if (m.type === 'session') {
      retry = 0;
      sessionStorage.setItem(RESUME_KEY, m.resume_token);
      term.beginSession(m);
      status.textContent = `${m.endpoint}${m.lu ? ' · ' + m.lu : ''} · ${m.terminal_type}${m.tls ? ' · TLS' : ''}`;
      term.canvas().focus();
    } else if (m.type === 'status' && m.state === 'mode') {
      term.setMode(m.mode, m.lu_state ?? null);
    } else if (m.type === 'status' || m.type === 'error') {
      status.textContent = `${m.code}: ${m.message}`;
      if (m.code === 'RESUME_FAILED' || m.state === 'host-closed' || m.state === 'ended') {
        sessionStorage.removeItem(RESUME_KEY);
      }
    }
  };
  socket.onclose = (e) => {
    term.setConnected(false);
    // 4000: the session ended; 44xx/45xx: refused (status already shows why). Otherwise the
    // connection dropped: reconnect with backoff and resume the same host session.
    if (e.code === 4000 || (e.code >= 4400 && e.code !== 4410)) {
      status.textContent += ' — reload to start a new session';
      return;
    }
    const delay = Math.min(1000 * 2 ** retry++, 15000);
    status.textContent = `disconnected — reconnecting in ${Math.round(delay / 1000)} s`;
    setTimeout(connect, delay);
  };
}

term.setOnSend((msg) => { if (socket && socket.readyState === WebSocket.OPEN) socket.send(msg); });
if (settings.has('demo')) {
  term.loadDemo();
  status.textContent = 'demo screen (no host)';
} else {
  connect();
}
term.canvas().focus();
