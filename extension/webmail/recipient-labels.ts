import { RECIPIENT_KINDS, type RecipientKind } from './adapter';

/**
 * Which recipient field a label names: "To", "Cc recipients", "Bcc:", "An", "Kopie", "Cci",
 * "CCO", "Кому"… Labels are compared whole (after trimming a colon and a "recipients" suffix),
 * so "To do" or "Date to" never count. The webmails' own labels in the common UI languages.
 */
const WORDS: Record<RecipientKind, readonly string[]> = {
  to: ['to', 'an', 'à', 'a', 'para', 'per', 'aan', 'till', 'til', 'do', 'komu', 'kime', 'кому', '宛先', '收件人', '받는사람', 'send to'],
  cc: ['cc', 'kopie', 'copie', 'cópia', 'copia', 'kopia', 'копия', 'cc/bcc'],
  bcc: ['bcc', 'blindkopie', 'cci', 'cco', 'bcc/cc', 'ukryta kopia', 'скрытая копия', 'dold kopia'],
};

const SUFFIX = /\s*(?:recipients?|empfänger|destinataires?|destinatarios?)$/;

/** The kind of recipient field a visible or accessible label names, or null. */
export function kindFromLabel(text: string | null | undefined): RecipientKind | null {
  if (!text) return null;
  const words = text.trim().toLowerCase().replace(/[:*：]+$/u, '').replace(SUFFIX, '').trim();
  if (words === '' || words.length > 20) return null;
  for (const kind of RECIPIENT_KINDS) if (WORDS[kind].includes(words)) return kind;
  return null;
}

/**
 * The kind an id or name spells ("_to", "to-input", "message-to-field", "MSG_15127c3b5a0_CC",
 * "composer:to-bcc"): its last word that is a kind. Null for anything else.
 */
export function kindFromName(name: string | null | undefined): RecipientKind | null {
  if (!name) return null;
  const words = name.toLowerCase().split(/[^a-z]+/).filter((w) => w !== '');
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i]!;
    if ((RECIPIENT_KINDS as readonly string[]).includes(w)) return w as RecipientKind;
  }
  return null;
}

/** How MailPing names a field to people: "To", "Cc", "Bcc". */
export const KIND_LABELS: Record<RecipientKind, string> = { to: 'To', cc: 'Cc', bcc: 'Bcc' };
