/**
 * Which inputs hold an email address. Decided from the markup alone, in this order:
 *
 * 1. The input's type: only text-like inputs qualify; `type=email` always does.
 * 2. `autocomplete`: `email` qualifies; `username` qualifies only while the value looks like an
 *    address (a login that takes "email or username"); `one-time-code` and friends never do.
 * 3. The name and id, split into words (`userEmail`, `customer[e_mail]`, `txtEmail`): an email
 *    word qualifies unless another word says the field is about something else
 *    (`email_subject`, `emailCode`, `email-domain`); a word of another kind of field
 *    (`first_name`, `phone`) decides against, whatever the label says.
 * 4. The placeholder, aria-label, title and label text: an email word, or an example address
 *    ("you@example.com"), qualifies unless the text is about a code, a search or a subject.
 *
 * Everything here is synchronous, allocation-light and DOM-read-only: it runs for every input
 * of every page.
 */

export type FieldKind = 'email' | 'username';

const TEXT_TYPES = new Set(['', 'text', 'email']);

// Words (after splitting names and ids) that mean "this field holds an email address".
const EMAIL_WORD = /^(?:e?mail(?:address|addr|adres|adresse|id)?|email\w*|\w*email|courriel|correo|epost|eposta|sahkoposti)$/;
// Words that mean the field is about something else, even next to an email word.
const NOT_AN_ADDRESS = new Set([
  'subject', 'message', 'msg', 'body', 'template', 'signature', 'footer', 'header',
  'search', 'query', 'filter', 'code', 'otp', 'token', 'pin', 'domain', 'host', 'server', 'port',
  'provider', 'password', 'pass', 'pwd', 'frequency', 'format', 'preference', 'preferences', 'optin',
  'optout', 'count', 'type', 'list', 'title',
]);
// Words of other kinds of fields: the name/id says what the field is, whatever its label says.
const OTHER_FIELD = new Set([
  'name', 'firstname', 'lastname', 'fname', 'lname', 'first', 'last', 'surname', 'phone', 'tel', 'mobile',
  'zip', 'postal', 'postcode', 'city', 'street', 'company', 'organization', 'url', 'website', 'password',
  'search', 'query', 'q', 'subject', 'message', 'comment', 'comments', 'code', 'otp', 'coupon', 'promo',
]);
const AUTOCOMPLETE_NOT_ADDRESS = /\b(?:one-time-code|current-password|new-password|tel|name|given-name|family-name|url|cc-\w+)\b/;
const TEXT_EMAIL_HINT = /e-?mail|courriel|correo|e-?post|sähköposti|posta elettronica|メール|邮箱|邮件|電子郵件|이메일|почт/i;
const TEXT_NOT_ADDRESS = /\b(?:code|search|subject|message|one-time|otp)\b/i;
// "you@example.com" as a placeholder is the strongest hint there is.
const EXAMPLE_ADDRESS = /\S+@\S+\.\S+/;

/** Splits `userEmailAddress`, `user[e_mail]`, `ctl00_txtEmail` into lower-case words. */
export function nameWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/(^|[^a-z])e[-_ ]mail/g, '$1email')
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** A value a person would recognize as an address (the precise syntax check is parseAddress). */
export function looksLikeAddress(value: string): boolean {
  const v = value.trim();
  const at = v.lastIndexOf('@');
  return at > 0 && at < v.length - 3 && !/\s/.test(v) && v.slice(at + 1).includes('.');
}

function nameVerdict(input: HTMLInputElement): boolean | null {
  const words = [...nameWords(input.name), ...nameWords(input.id)];
  if (words.length === 0) return null;
  const email = words.some((w) => EMAIL_WORD.test(w));
  if (email) return !words.some((w) => NOT_AN_ADDRESS.has(w) && !EMAIL_WORD.test(w));
  return words.some((w) => OTHER_FIELD.has(w)) ? false : null;
}

function labelText(input: HTMLInputElement): string {
  let text = '';
  const labels = input.labels;
  if (labels) for (const label of Array.from(labels)) text += ` ${label.textContent ?? ''}`;
  const labelledBy = input.getAttribute('aria-labelledby');
  if (labelledBy) {
    const root = input.getRootNode() as Document | ShadowRoot;
    for (const id of labelledBy.split(/\s+/)) text += ` ${root.getElementById?.(id)?.textContent ?? ''}`;
  }
  return text;
}

function textVerdict(text: string): boolean {
  return (TEXT_EMAIL_HINT.test(text) || EXAMPLE_ADDRESS.test(text)) && !TEXT_NOT_ADDRESS.test(text);
}

/**
 * Whether the person cannot type into the field: disabled (itself or by its fieldset) or read-only
 * (an address shown on a profile page). Such a field gets no badge: there is nothing to check
 * before the person sends it, and a badge would promise something it cannot do.
 */
export function isInert(input: HTMLInputElement): boolean {
  return (
    input.disabled ||
    input.readOnly ||
    input.closest('fieldset[disabled]') !== null ||
    input.getAttribute('aria-disabled') === 'true' ||
    input.getAttribute('aria-readonly') === 'true'
  );
}

/** What an input is, or null when it is not an address field. */
export function classifyField(input: HTMLInputElement): FieldKind | null {
  const type = (input.getAttribute('type') ?? '').toLowerCase().trim();
  if (!TEXT_TYPES.has(type) || isInert(input)) return null;
  if (type === 'email') return 'email';
  if (input.getAttribute('inputmode') === 'email') return 'email';

  const autocomplete = (input.getAttribute('autocomplete') ?? '').toLowerCase();
  if (autocomplete !== '') {
    if (/\bemail\b/.test(autocomplete)) return 'email';
    if (/\busername\b/.test(autocomplete)) return 'username';
    if (AUTOCOMPLETE_NOT_ADDRESS.test(autocomplete)) return null;
  }

  const byName = nameVerdict(input);
  if (byName !== null) return byName ? 'email' : null;

  const hints = `${input.placeholder} ${input.getAttribute('aria-label') ?? ''} ${input.title}`;
  if (textVerdict(hints)) return 'email';
  return textVerdict(labelText(input)) ? 'email' : null;
}

/** Whether a field of this kind should carry a badge for its current value. */
export function wantsBadge(kind: FieldKind, value: string): boolean {
  return kind === 'email' || looksLikeAddress(value);
}
