import type { VerificationResult } from '@mailping/shared';
import { browser } from 'wxt/browser';
import { BackgroundLink, type PortLike } from '@/lib/background-link';
import { DETAILS_CSS } from '@/lib/details-styles';
import type { CheckState, DaemonStatusView, PageAddress } from '@/lib/messages';
import { askBackground, askContent, CHECKS_PORT } from '@/lib/messaging';
import { silentSitesItem, webmailChecksItem } from '@/lib/settings';
import { isSilentSite, siteEntryHost } from '@/lib/site-match';
import { buildDetails, relativeTime, textWithCode } from '@/lib/result-details';
import { displayState, SHORT_WORDS } from '@/components/badge/check-display';
import { createIcon } from '@/lib/verdict-icons';
import { statusLabel, statusWords } from '@/lib/verdict-words';

/**
 * The toolbar popup: the daemon's status (and what to do about it), the switch for this site
 * (badges and webmail recipient checks), a box to verify any address, the context menu's last
 * result in this tab, the addresses on this page (verify all, with progress) and the daemon's
 * recent results. Everything goes through the background.
 */

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const style = document.createElement('style');
style.textContent = DETAILS_CSS;
document.head.append(style);

const link = new BackgroundLink({
  connect: () => browser.runtime.connect({ name: CHECKS_PORT }) as unknown as PortLike,
  idleCloseMs: Number.POSITIVE_INFINITY,
});
let status: DaemonStatusView | null = null;

function shortWords(state: CheckState | null): string {
  return SHORT_WORDS[displayState(state)];
}

function details(address: string, state: CheckState | null, recheck?: () => void): HTMLElement {
  const iconState = displayState(state);
  return buildDetails(
    document,
    {
      address,
      state: iconState,
      check: state,
      suggestion: state?.kind === 'done' ? state.result.suggestion : null,
      syntaxError: state?.kind === 'failed' ? state.message : state?.kind === 'done' ? (state.result.syntax.error?.message ?? null) : null,
      status,
    },
    {
      ...(recheck && { recheck }),
      openOptions: () => void browser.runtime.openOptionsPage(),
      applySuggestion: (suggestion) => {
        $<HTMLInputElement>('verify-input').value = suggestion;
        verifyTyped(suggestion, false);
      },
    },
  );
}

// ---- status -------------------------------------------------------------------------------

function renderStatus(view: DaemonStatusView): void {
  status = view;
  const pill = $('status-pill');
  pill.dataset.kind = view.status.kind;
  const words = statusWords(view.status, view.endpoint, view.server);
  $('status-text').textContent = view.status.kind === 'connected' ? `Connected (${view.endpoint})` : statusLabel(view.status);
  // Addresses leave this machine: say where, always, not only when something goes wrong.
  const destination = $('destination');
  destination.hidden = view.server === null;
  destination.textContent = view.server === null ? '' : `Addresses are verified by ${view.server}`;
  const help = $('status-help');
  help.hidden = view.status.kind === 'connected' || view.status.kind === 'connecting';
  $('status-title').textContent = words.title;
  $('status-advice').replaceWith(Object.assign(textWithCode(document, '', words.advice), { id: 'status-advice' }));
  if (view.status.kind === 'connected' && historyFailed) void loadHistory();
}

link.onStatus(renderStatus);
link.requestStatus();
void askBackground('getStatus', {}).then((view) => view && renderStatus(view));
$('retry').addEventListener('click', () => void askBackground('reconnect', {}).then((view) => view && renderStatus(view)));
for (const id of ['open-options', 'status-options']) $(id).addEventListener('click', () => void browser.runtime.openOptionsPage());

// ---- the verify box -------------------------------------------------------------------------

let stopVerify: (() => void) | null = null;
/** Rows of the page list by address: a check from the box updates the page's row too. */
const pageRows = new Map<string, { update(state: CheckState | null): void }>();

function verifyTyped(address: string, fresh: boolean): void {
  stopVerify?.();
  const box = $('verify-result');
  box.hidden = false;
  box.replaceChildren(details(address, { kind: 'checking', stage: null }));
  const unwatch = link.watch(address, fresh, (state) => {
    box.replaceChildren(details(address, state, () => verifyTyped(address, true)));
    pageRows.get(address.toLowerCase())?.update(state);
    if (state.kind === 'done' || state.kind === 'failed') {
      unwatch();
      if (stopVerify === unwatch) stopVerify = null;
      if (state.kind === 'done') void loadHistory();
    }
  });
  stopVerify = unwatch;
}

$('verify-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const address = $<HTMLInputElement>('verify-input').value.trim();
  if (address !== '') verifyTyped(address, false);
});

// ---- this tab ------------------------------------------------------------------------------

async function currentTabId(): Promise<number | null> {
  // ?tab=N lets the popup page, opened as a tab (tests, keyboard users), look at another tab.
  const fromQuery = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(fromQuery) && fromQuery > 0) return fromQuery;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

function listEntry(address: string, state: CheckState | null, what: string): { item: HTMLLIElement; update(state: CheckState | null, what?: string): void } {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.className = 'entry';
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  const label = document.createElement('span');
  label.className = 'address';
  label.textContent = address;
  const whatNode = document.createElement('span');
  whatNode.className = 'what';
  const body = document.createElement('div');
  body.className = 'result';
  body.hidden = true;
  let current = state;
  const update = (next: CheckState | null, nextWhat?: string) => {
    current = next;
    item.dataset.verdict = displayState(next);
    button.replaceChildren(createIcon(document, displayState(next), 14), label, whatNode);
    whatNode.textContent = nextWhat ?? shortWords(next);
    if (!body.hidden) body.replaceChildren(details(address, current));
  };
  button.addEventListener('click', () => {
    body.hidden = !body.hidden;
    button.setAttribute('aria-expanded', String(!body.hidden));
    if (!body.hidden) body.replaceChildren(details(address, current));
  });
  item.append(button, body);
  update(state, what);
  return { item, update };
}

async function loadTabCheck(tabId: number): Promise<void> {
  const check = await askBackground('tabCheck', { tabId });
  if (!check) return;
  $('tab-section').hidden = false;
  const box = $('tab-result');
  box.replaceChildren(details(check.address, check.state));
  if (check.state.kind === 'checking' || check.state.kind === 'waiting') {
    const unwatch = link.watch(check.address, false, (state) => {
      box.replaceChildren(details(check.address, state));
      if (state.kind === 'done' || state.kind === 'failed') unwatch();
    });
  }
}

// ---- this site ---------------------------------------------------------------------------------

/** The per-site switch: the same list as the options' silent sites, for the current tab's site. */
async function loadSite(tabId: number): Promise<void> {
  const info = await askContent({ tabId, frameId: 0 }, 'siteInfo', {});
  // No content script there (a browser page, the web store): nothing to switch.
  if (!info || info.host === '') return;
  const host = info.host;
  const input = $<HTMLInputElement>('site-switch');
  const render = async () => {
    const [silent, webmailOn] = await Promise.all([silentSitesItem.getValue(), webmailChecksItem.getValue()]);
    const covering = silent.filter((entry) => isSilentSite(host, [entry]));
    input.checked = covering.length === 0;
    const note = $('site-note');
    if (covering.length > 0 && !covering.includes(host)) note.textContent = `Silent here because of “${covering.join('”, “')}” (a site covers its subdomains).`;
    else if (info.webmail) note.textContent = webmailOn ? `${info.webmail}: recipients are checked as you add them.` : `${info.webmail}: recipient checks are off in the options.`;
    else note.textContent = 'Badges on email fields, and recipient checks if this is a webmail.';
  };
  $('site-host').textContent = host;
  $('site-section').hidden = false;
  input.addEventListener('change', () => {
    void (async () => {
      const silent = await silentSitesItem.getValue();
      const next = input.checked ? silent.filter((entry) => !isSilentSite(host, [entry])) : [...silent, siteEntryHost(host) ?? host];
      await silentSitesItem.setValue(next);
      await render();
    })();
  });
  await render();
}

// ---- the page's addresses ---------------------------------------------------------------------

async function loadPageAddresses(tabId: number): Promise<void> {
  const outcome = await askBackground('pageAddresses', { tabId });
  const summary = $('page-summary');
  if (!outcome || !outcome.ok) {
    summary.textContent = outcome?.message ?? 'MailPing cannot read this page.';
    return;
  }
  const { addresses, truncated } = outcome.value;
  summary.textContent =
    addresses.length === 0
      ? 'No addresses on this page.'
      : `${addresses.length} address${addresses.length === 1 ? '' : 'es'} found${truncated ? ' (the first ones only)' : ''}.`;
  const list = $('page-list');
  const rows = new Map<string, ReturnType<typeof listEntry>>();
  for (const entry of addresses) {
    const row = listEntry(entry.address, null, sourceWords(entry));
    rows.set(entry.address, row);
    pageRows.set(entry.address.toLowerCase(), row);
    list.append(row.item);
    void link.peek(entry.address).then((state) => state?.kind === 'done' && row.update(state));
  }
  const button = $<HTMLButtonElement>('verify-all');
  button.disabled = addresses.length === 0;
  // A second click after a full run asks the mail servers again.
  let runs = 0;
  button.addEventListener('click', () => {
    button.disabled = true;
    verifyAll(addresses, rows, runs++ > 0);
  });
}

function sourceWords(entry: PageAddress): string {
  return entry.sources.includes('mailto') ? 'link' : 'text';
}

function verifyAll(addresses: readonly PageAddress[], rows: Map<string, ReturnType<typeof listEntry>>, fresh: boolean): void {
  let finished = 0;
  const progress = $('page-progress');
  const bar = $('page-progress-bar');
  const summary = $('page-summary');
  progress.hidden = false;
  const report = () => {
    bar.style.width = `${Math.round((finished / addresses.length) * 100)}%`;
    summary.textContent = `${finished} of ${addresses.length} checked${finished === addresses.length ? '.' : '…'}`;
  };
  report();
  for (const { address } of addresses) {
    let settled = false;
    const unwatch = link.watch(address, fresh, (state) => {
      rows.get(address)?.update(state);
      if (!settled && (state.kind === 'done' || state.kind === 'failed')) {
        settled = true;
        finished += 1;
        report();
        unwatch();
        if (finished === addresses.length) $<HTMLButtonElement>('verify-all').disabled = false;
      }
    });
  }
}

// ---- recent results ---------------------------------------------------------------------------

let historyFailed = false;

async function loadHistory(): Promise<void> {
  const outcome = await askBackground('history', { limit: 15 });
  const summary = $('history-summary');
  const list = $('history-list');
  if (!outcome || !outcome.ok) {
    historyFailed = true;
    summary.textContent = `Not available: ${outcome?.message ?? 'the background did not answer'}.`;
    return;
  }
  historyFailed = false;
  const results: VerificationResult[] = outcome.value;
  summary.textContent = results.length === 0 ? 'Nothing checked yet.' : '';
  summary.hidden = results.length > 0;
  list.replaceChildren(
    ...results.map((result) => listEntry(result.address, { kind: 'done', result, cached: true }, relativeTime(result.checkedAt)).item),
  );
}

void (async () => {
  const tabId = await currentTabId();
  if (tabId !== null) {
    void loadSite(tabId);
    void loadTabCheck(tabId);
    void loadPageAddresses(tabId);
  } else {
    $('page-summary').textContent = 'No page to look at.';
  }
  await loadHistory();
})();
