import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

export class InputError extends Error {
  override readonly name = 'InputError';
}

const EMAIL_HEADER = /^(e-?mail|email[ _-]?address|e-?mail[ _-]?addr(ess)?|address|mail)$/i;
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** Reads `path` (or stdin for "-") and returns the addresses in it, in file order. */
export async function readAddressFile(path: string, column?: string): Promise<string[]> {
  const text = path === '-' ? await readStdin() : await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  return addressesFromText(text, column);
}

/**
 * One address per line, or a CSV/TSV file: then the column named like "email" (or `column`, by
 * name or 1-based number), or else the first column whose values look like addresses.
 */
export function addressesFromText(text: string, column?: string): string[] {
  const body = text.replace(/^\ufeff/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = detectDelimiter(firstLine);
  if (!delimiter && column === undefined) {
    return body
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }
  let rows: string[][];
  try {
    rows = parse(body, { delimiter: delimiter ?? ',', relax_column_count: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new InputError(`the file is not valid CSV: ${(error as Error).message}`);
  }
  if (rows.length === 0) return [];
  const header = rows[0]!;
  const index = pickColumn(header, rows, column);
  const hasHeader = !header[index]?.includes('@');
  return rows.slice(hasHeader ? 1 : 0).map((r) => r[index] ?? '').filter((v) => v !== '');
}

function detectDelimiter(line: string): string | null {
  // Commas inside a quoted local part ("a,b"@x) are not a CSV: only count delimiters outside quotes.
  const outside = line.replace(/"[^"]*"/g, '');
  for (const d of [',', ';', '\t']) if (outside.includes(d)) return d;
  return null;
}

function pickColumn(header: string[], rows: string[][], column?: string): number {
  if (column !== undefined) {
    if (/^\d+$/.test(column)) {
      const n = Number(column) - 1;
      if (n < 0 || n >= header.length) throw new InputError(`column ${column} does not exist (the file has ${header.length})`);
      return n;
    }
    const named = header.findIndex((h) => h.toLowerCase() === column.toLowerCase());
    if (named < 0) throw new InputError(`no column named "${column}" (columns: ${header.join(', ')})`);
    return named;
  }
  const byName = header.findIndex((h) => EMAIL_HEADER.test(h));
  if (byName >= 0) return byName;
  const sample = rows.slice(0, 20);
  const byContent = header.findIndex((_, i) => sample.some((r) => (r[i] ?? '').includes('@')));
  if (byContent >= 0) return byContent;
  throw new InputError('no column of the file looks like email addresses: name it with --column');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES) throw new InputError('the input is larger than 256 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
