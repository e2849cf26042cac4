// web3270 demo page: loads the wasm terminal and shows the demo screen (no bridge yet).
import init, { WebTerminal } from './pkg/web_client.js';

await init();
const screen = document.getElementById('screen');
const status = document.getElementById('status');
const params = new URLSearchParams(location.search);
const term = new WebTerminal(screen, {
  theme: params.get('theme') || 'x3270',
  model: params.get('model') || '3279-2-E',
  cursor: params.get('cursor') || 'block',
});
term.setOnOutput(bytes => { status.textContent = `to host: ${bytes.length} bytes`; });
term.loadDemo();
term.canvas().focus();
const theme = document.getElementById('theme');
theme.value = params.get('theme') || 'x3270';
theme.addEventListener('change', () => { term.setTheme(theme.value); term.canvas().focus(); });
window.web3270 = term; // for debugging from the console
