/**
 * The webmails whose Send the warning guards, one table for both browsers' suites
 * (tests/e2e/webmail-send-warning.test.ts for Chromium, tests/e2e-firefox/ for Firefox): where
 * each fixture is served, how a person adds a recipient there, its Send control and its keyboard
 * Send. Typing itself differs by driver (Playwright, puppeteer): each suite maps `entry` to it.
 */
export type RecipientEntry =
  /** Typed into `field`, committed with `commit` (Enter unless told); the fixture removes the chip. */
  | { kind: 'chip'; field: string; commit?: string }
  /** Outlook's recipient well: typed at its end, after the chips, committed with ";". */
  | { kind: 'outlook-well'; field: string }
  /** Fastmail's plain input: addresses as comma-separated text. */
  | { kind: 'comma-text'; field: string };

export interface SendWarningWebmail {
  name: string;
  origin: string;
  /** Path prefix → fixture file (tests/e2e/webmail-fixtures). */
  pages: Record<string, string>;
  url: string;
  entry: RecipientEntry;
  send: string;
  /** Where a keyboard Send starts: Ctrl+Enter in this field, or Enter on the Send control. */
  keyboard: { shortcutIn: string } | { enterOnSend: true };
}

export const SEND_WARNING_WEBMAILS: readonly SendWarningWebmail[] = [
  {
    name: 'Gmail',
    origin: 'https://mail.google.com',
    pages: { '/mail/u/0/': 'gmail.html' },
    url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk',
    entry: { kind: 'chip', field: '#to' },
    send: '#send',
    keyboard: { shortcutIn: '#subject' },
  },
  {
    name: 'Outlook',
    origin: 'https://outlook.live.com',
    pages: { '/mail/': 'outlook.html' },
    url: 'https://outlook.live.com/mail/0/inbox/id/AQQkADAwATNiZmYAZS1hZmQz',
    entry: { kind: 'outlook-well', field: '#to' },
    send: '#splitButton-r3a__primaryActionButton',
    keyboard: { shortcutIn: 'input[aria-label="Subject"]' },
  },
  {
    name: 'Yahoo Mail',
    origin: 'https://mail.yahoo.com',
    pages: { '/d/': 'yahoo.html' },
    url: 'https://mail.yahoo.com/d/folders/1/messages/42',
    entry: { kind: 'chip', field: '#message-to-field', commit: ',' },
    send: '[data-test-id="compose-send-button"]',
    keyboard: { shortcutIn: '[data-test-id="compose-subject"]' },
  },
  {
    name: 'Proton Mail',
    origin: 'https://mail.proton.me',
    pages: { '/u/': 'proton.html' },
    url: 'https://mail.proton.me/u/0/inbox/Qx9kT2',
    entry: { kind: 'chip', field: '#to-composer-1' },
    send: '[data-testid="composer:send-button"]',
    keyboard: { shortcutIn: '#subject-composer-1' },
  },
  {
    name: 'Fastmail',
    origin: 'https://app.fastmail.com',
    pages: { '/mail/': 'fastmail.html' },
    url: 'https://app.fastmail.com/mail/Inbox/Tb7c1f0a9',
    entry: { kind: 'comma-text', field: '#v31-to-input' },
    send: '#compose .send',
    keyboard: { shortcutIn: '#v31-subject-input' },
  },
  {
    name: 'Roundcube (generic adapter)',
    origin: 'https://webmail.example.org',
    pages: { '/?_task=mail&_action=compose': 'roundcube-compose.html' },
    url: 'https://webmail.example.org/?_task=mail&_action=compose&_id=3f2a',
    entry: { kind: 'chip', field: '#to-input', commit: ',' },
    send: '.header a.send',
    keyboard: { enterOnSend: true },
  },
  {
    name: 'SOGo (generic adapter)',
    origin: 'https://groupware.example.net',
    pages: { '/SOGo/': 'sogo.html' },
    url: 'https://groupware.example.net/SOGo/so/me/Mail/view',
    entry: { kind: 'chip', field: '#to-input' },
    send: '#send',
    keyboard: { enterOnSend: true },
  },
];

/** What to type at the end of a comma-separated recipients input holding `value`, to add `address`. */
export function commaTextToType(value: string, address: string): string {
  return `${value.trim() === '' || value.trim().endsWith(',') ? '' : ', '}${address}, `;
}

/** What such an input should hold once `address` is taken out of `value`. */
export function commaTextWithout(value: string, address: string): string {
  const rest = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== address);
  return rest.length > 0 ? `${rest.join(', ')}, ` : '';
}
