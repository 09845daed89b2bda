import { extname } from 'node:path';

export type ResultFileFormat = 'csv' | 'ndjson';

const BY_EXTENSION: Readonly<Record<string, ResultFileFormat>> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'ndjson',
};

/** The format `--format` names, else the one the file's extension says, else null. */
export function resultFileFormat(path: string, explicit?: ResultFileFormat): ResultFileFormat | null {
  return explicit ?? BY_EXTENSION[extname(path).toLowerCase()] ?? null;
}
