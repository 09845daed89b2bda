import { browser } from 'wxt/browser';
import { BackgroundLink, type PortLike } from '@/lib/background-link';
import { daemonEndpointItem, loadEffectiveEndpoint, managedServerUrlItem, pairingItem, reverifyHoursItem } from '@/lib/daemon-settings';
import { isLoopbackHost, parseDaemonUrl } from '@/lib/daemon-url';
import type { DaemonStatusView } from '@/lib/messages';
import { askBackground, CHECKS_PORT } from '@/lib/messaging';
import { autoBadgesItem, silentSitesItem, warnBeforeSendItem, webmailChecksItem } from '@/lib/settings';
import { textWithCode } from '@/lib/result-details';
import { normalizeSiteList } from '@/lib/site-match';
import { statusWords } from '@/lib/verdict-words';

/**
 * The options page: where the daemon listens (this computer, or a server's URL, possibly preset by
 * an administrator), pairing with a code from `mailping pair` or a server's invite, the
 * badges switch, the silent sites, webmail recipient checks and the warning before a Send that would bounce, and the re-verify interval. Settings are written to their
 * storage items directly; the background follows the items and reconnects when they change.
 */

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function renderStatus(view: DaemonStatusView): void {
  const node = $('status');
  node.dataset.kind = view.status.kind;
  const words = statusWords(view.status, view.endpoint, view.server);
  node.textContent =
    view.status.kind !== 'connected' ? words.title : view.server === null ? `Connected to the daemon at ${view.endpoint}` : `Connected to ${view.server}`;
  const destination = $('destination');
  destination.hidden = view.server === null;
  destination.textContent = view.server === null ? '' : `Addresses you check are verified by ${view.server}, not on this computer.`;
  $('status-advice').replaceChildren(...textWithCode(document, '', words.advice).childNodes);
}

const link = new BackgroundLink({
  connect: () => browser.runtime.connect({ name: CHECKS_PORT }) as unknown as PortLike,
  idleCloseMs: Number.POSITIVE_INFINITY,
});
link.onStatus(renderStatus);
link.requestStatus();
void askBackground('getStatus', {}).then((view) => view && renderStatus(view));

function flash(id: string, text: string): void {
  const node = $(id);
  node.textContent = text;
  setTimeout(() => {
    if (node.textContent === text) node.textContent = '';
  }, 2500);
}

// ---- daemon address -------------------------------------------------------------------------

async function loadEndpoint(): Promise<void> {
  const effective = await loadEffectiveEndpoint();
  const { daemon, managed } = effective;
  const serverUrl = $<HTMLInputElement>('server-url');
  if (daemon.local && !daemon.url.startsWith('wss:')) {
    $<HTMLSelectElement>('host').value = daemon.host;
    $<HTMLInputElement>('port').value = String(daemon.port);
    serverUrl.value = '';
  } else {
    serverUrl.value = daemon.url;
  }
  // The administrator's URL is not the person's to change.
  for (const id of ['server-url', 'host', 'port', 'endpoint-save']) $<HTMLInputElement>(id).disabled = managed;
  const note = $('managed-note');
  note.hidden = !managed && !effective.managedProblem;
  note.textContent = managed
    ? `Set by your administrator: ${daemon.url}.`
    : effective.managedProblem
      ? `Your administrator's server URL was not used: ${effective.managedProblem}.`
      : '';
}

$('endpoint-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const typed = $<HTMLInputElement>('server-url').value.trim();
  const host = $<HTMLSelectElement>('host').value;
  const port = Number($<HTMLInputElement>('port').value);
  if (typed === '' && (!isLoopbackHost(host) || !Number.isInteger(port) || port < 1 || port > 65535)) {
    flash('endpoint-saved', 'Enter a port between 1 and 65535.');
    return;
  }
  const parsed = parseDaemonUrl(typed !== '' ? typed : `ws://${host.includes(':') ? `[${host}]` : host}:${port}`);
  if (!parsed.ok) {
    // Stays until the next save: a refusal must be read, not flashed.
    $('endpoint-saved').textContent = `Not saved: ${parsed.message}.`;
    return;
  }
  void daemonEndpointItem.setValue({ url: parsed.value.url }).then(async () => {
    flash('endpoint-saved', 'Saved.');
    await loadEndpoint();
  });
});
$('retry').addEventListener('click', () => void askBackground('reconnect', {}).then((view) => view && renderStatus(view)));

// ---- pairing -------------------------------------------------------------------------------

async function renderPairing(): Promise<void> {
  const pairing = await pairingItem.getValue();
  $('pairing-state').textContent = pairing
    ? `Paired with the daemon at ${pairing.endpoint} on ${new Date(pairing.pairedAt).toLocaleString()}.`
    : 'Not paired yet.';
  $<HTMLButtonElement>('unpair').disabled = pairing === null;
}

function defaultLabel(): string {
  const ua = navigator.userAgent;
  const browserName = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : 'Chrome';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'this computer';
  return `${browserName} on ${os}`;
}

$<HTMLInputElement>('label').value = defaultLabel();

$('pair-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const code = $<HTMLInputElement>('code').value.trim();
  const label = $<HTMLInputElement>('label').value.trim();
  const result = $('pair-result');
  const button = $<HTMLButtonElement>('pair-button');
  if (code === '') return;
  button.disabled = true;
  result.removeAttribute('data-ok');
  result.textContent = 'Pairing…';
  void askBackground('pair', { code, ...(label !== '' && { label }) }).then((outcome) => {
    button.disabled = false;
    result.dataset.ok = String(outcome?.ok === true);
    if (outcome?.ok) {
      result.textContent = 'Paired. MailPing is ready.';
      $<HTMLInputElement>('code').value = '';
      renderStatus(outcome.value);
    } else {
      result.textContent = `Pairing failed: ${outcome?.message ?? 'the background did not answer'}.`;
    }
    void renderPairing();
  });
});

$('unpair').addEventListener('click', () => {
  void askBackground('unpair', {}).then((view) => {
    if (view) renderStatus(view);
    void renderPairing();
  });
});

// ---- badges and sites ------------------------------------------------------------------------

const autoBadges = $<HTMLInputElement>('auto-badges');
autoBadges.addEventListener('change', () => void autoBadgesItem.setValue(autoBadges.checked));

$('save-sites').addEventListener('click', () => {
  const lines = $<HTMLTextAreaElement>('silent-sites').value.split('\n');
  const sites = normalizeSiteList(lines);
  $<HTMLTextAreaElement>('silent-sites').value = sites.join('\n');
  void silentSitesItem.setValue(sites).then(() => flash('sites-saved', `Saved (${sites.length} site${sites.length === 1 ? '' : 's'}).`));
});

// ---- webmail ------------------------------------------------------------------------------------

const webmailChecks = $<HTMLInputElement>('webmail-checks');
webmailChecks.addEventListener('change', () => void webmailChecksItem.setValue(webmailChecks.checked));
const warnBeforeSend = $<HTMLInputElement>('warn-before-send');
warnBeforeSend.addEventListener('change', () => void warnBeforeSendItem.setValue(warnBeforeSend.checked));

// ---- re-verify interval -------------------------------------------------------------------------

const reverify = $<HTMLSelectElement>('reverify');
reverify.addEventListener('change', () => void reverifyHoursItem.setValue(Number(reverify.value)));

void (async () => {
  await loadEndpoint();
  await renderPairing();
  autoBadges.checked = await autoBadgesItem.getValue();
  webmailChecks.checked = await webmailChecksItem.getValue();
  warnBeforeSend.checked = await warnBeforeSendItem.getValue();
  $<HTMLTextAreaElement>('silent-sites').value = (await silentSitesItem.getValue()).join('\n');
  const hours = await reverifyHoursItem.getValue();
  if (![...reverify.options].some((o) => Number(o.value) === hours)) {
    reverify.append(new Option(`${hours} hours`, String(hours)));
  }
  reverify.value = String(hours);
  pairingItem.watch(() => void renderPairing());
  managedServerUrlItem.watch(() => void loadEndpoint());
})();
