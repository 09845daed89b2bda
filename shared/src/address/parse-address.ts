/// <reference path="../types/punycode.d.ts" />
// The userland punycode package: Node's built-in one is deprecated and absent in browsers.
import punycode from 'punycode/punycode.js';

/**
 * Address syntax as a mail server sees it (RFC 5321 §4.1.2, RFC 6531 for UTF-8 local parts).
 * Pure and synchronous: it runs in the extension's content scripts as well as in the daemon,
 * and it is the gate in front of every socket, so nothing it accepts may contain CR, LF or NUL.
 */

export type SyntaxErrorCode =
  | 'empty'
  | 'control_character'
  | 'whitespace'
  | 'missing_at'
  | 'local_empty'
  | 'local_too_long'
  | 'local_dot'
  | 'local_invalid_char'
  | 'quoted_local_invalid'
  | 'domain_empty'
  | 'address_literal'
  | 'domain_invalid'
  | 'domain_label_too_long'
  | 'domain_label_hyphen'
  | 'domain_single_label'
  | 'domain_numeric_tld'
  | 'domain_too_long'
  | 'address_too_long';

export interface SyntaxError {
  code: SyntaxErrorCode;
  message: string;
}

export interface ParsedAddress {
  /** The input, trimmed. */
  input: string;
  /** Local part exactly as given: local parts are case-sensitive (RFC 5321 §2.4). */
  local: string;
  /** ASCII (punycode), lower-case domain: what goes on the wire and into DNS. */
  domain: string;
  /** The same domain in Unicode, for people. */
  unicodeDomain: string;
  /** `local@domain` with the ASCII domain: the cache key and the RCPT argument. */
  normalized: string;
  /** The local part has non-ASCII characters: the server must offer SMTPUTF8. */
  smtputf8: boolean;
  quoted: boolean;
}

export type ParseResult = { ok: true; address: ParsedAddress } | { ok: false; error: SyntaxError };

// RFC 5321 §4.5.3.1: 64 octets of local part, a 256-octet path including the angle brackets.
export const MAX_LOCAL_OCTETS = 64;
export const MAX_ADDRESS_OCTETS = 254;
const MAX_DOMAIN_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;

// C0 controls, DEL and C1 controls; CR, LF and NUL are among them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Spaces that people paste by accident; inside a quoted local part a plain space is legal.
const UNQUOTED_SPACE = /[\s\u00a0\u2000-\u200b\u2028\u2029\u3000\ufeff]/;
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const fail = (code: SyntaxErrorCode, message: string): ParseResult => ({ ok: false, error: { code, message } });
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

export function parseAddress(raw: string): ParseResult {
  const input = raw.trim();
  if (input === '') return fail('empty', 'the address is empty');
  if (CONTROL.test(input)) {
    return fail('control_character', 'the address contains a control character (such as CR, LF or NUL)');
  }

  const at = input.lastIndexOf('@');
  if (at < 0) return fail('missing_at', 'the address has no "@"');
  const local = input.slice(0, at);
  const rawDomain = input.slice(at + 1);

  const localError = checkLocalPart(local);
  if (localError) return { ok: false, error: localError };

  const domainResult = normalizeDomain(rawDomain);
  if ('code' in domainResult) return { ok: false, error: domainResult };
  const { ascii, unicode } = domainResult;

  const localOctets = utf8Length(local);
  if (localOctets + 1 + ascii.length > MAX_ADDRESS_OCTETS) {
    return fail('address_too_long', `the address is longer than ${MAX_ADDRESS_OCTETS} characters`);
  }
  return {
    ok: true,
    address: {
      input,
      local,
      domain: ascii,
      unicodeDomain: unicode,
      normalized: `${local}@${ascii}`,
      smtputf8: /[^\u0000-\u007f]/.test(local),
      quoted: local.startsWith('"'),
    },
  };
}

function checkLocalPart(local: string): SyntaxError | null {
  if (local === '') return { code: 'local_empty', message: 'nothing before the "@"' };
  if (utf8Length(local) > MAX_LOCAL_OCTETS) {
    return { code: 'local_too_long', message: `the part before "@" is longer than ${MAX_LOCAL_OCTETS} characters` };
  }
  if (local.startsWith('"')) return checkQuotedLocal(local);
  if (UNQUOTED_SPACE.test(local)) return { code: 'whitespace', message: 'the address contains a space' };
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { code: 'local_dot', message: 'the part before "@" starts or ends with a dot, or has two dots in a row' };
  }
  for (const atom of local.split('.')) {
    if (!ATEXT.test(atom)) {
      const bad = [...atom].find((ch) => !ATEXT.test(ch)) ?? '';
      return { code: 'local_invalid_char', message: `the part before "@" contains "${bad}", which needs quoting` };
    }
  }
  return null;
}

// quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP = %d32-33 / %d35-91 / %d93-126 (or UTF-8),
// quoted-pairSMTP = "\" followed by %d32-126.
function checkQuotedLocal(local: string): SyntaxError | null {
  const invalid = { code: 'quoted_local_invalid', message: 'the quoted part before "@" is not closed or has a stray quote' } as const;
  if (local.length < 2 || !local.endsWith('"')) return invalid;
  const body = local.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\') {
      const next = body.charCodeAt(i + 1);
      if (!(next >= 32 && next <= 126)) return invalid;
      i++;
    } else if (ch === '"') {
      return invalid;
    }
  }
  return null;
}

function normalizeDomain(rawDomain: string): { ascii: string; unicode: string } | SyntaxError {
  if (rawDomain === '') return { code: 'domain_empty', message: 'nothing after the "@"' };
  if (rawDomain.startsWith('[')) {
    return { code: 'address_literal', message: 'addresses with an IP literal such as [192.0.2.1] are not verified' };
  }
  if (UNQUOTED_SPACE.test(rawDomain)) return { code: 'whitespace', message: 'the domain contains a space' };
  // One trailing dot is the DNS root and means the same domain.
  const withoutRoot = rawDomain.endsWith('.') && !rawDomain.endsWith('..') ? rawDomain.slice(0, -1) : rawDomain;
  const lowered = withoutRoot.normalize('NFC').toLowerCase().replace(/[\u3002\uff0e\uff61]/g, '.');

  let ascii: string;
  try {
    ascii = punycode.toASCII(lowered);
  } catch {
    return { code: 'domain_invalid', message: 'the domain is not a valid international domain name' };
  }
  if (ascii.length > MAX_DOMAIN_OCTETS) {
    return { code: 'domain_too_long', message: `the domain is longer than ${MAX_DOMAIN_OCTETS} characters` };
  }
  const labels = ascii.split('.');
  if (labels.length < 2) return { code: 'domain_single_label', message: 'the domain needs a dot, as in example.com' };
  for (const label of labels) {
    if (label === '') return { code: 'domain_invalid', message: 'the domain has an empty label (two dots in a row?)' };
    if (label.length > MAX_LABEL_OCTETS) {
      return { code: 'domain_label_too_long', message: `a part of the domain is longer than ${MAX_LABEL_OCTETS} characters` };
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return { code: 'domain_label_hyphen', message: 'a part of the domain starts or ends with a hyphen' };
    }
    if (!LDH_LABEL.test(label)) {
      const bad = [...label].find((ch) => !/[a-z0-9-]/.test(ch)) ?? '';
      return { code: 'domain_invalid', message: `the domain contains "${bad}", which is not allowed in a host name` };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { code: 'domain_numeric_tld', message: 'the domain ends in a number, which is not a top-level domain' };
  }
  let unicode = ascii;
  try {
    unicode = punycode.toUnicode(ascii);
  } catch {
    // An "xn--" label that does not decode: keep the ASCII form for display.
  }
  return { ascii, unicode };
}

/** True when the string parses as an address: for quick checks in the browser. */
export function isValidAddress(raw: string): boolean {
  return parseAddress(raw).ok;
}
