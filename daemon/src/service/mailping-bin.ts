import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The `mailping` bin script this process runs from, as an absolute real path (a service must
 * not depend on PATH or on the symlink a package manager made). The bundle sits in dist/, the
 * bin beside it in bin/.
 */
export function mailpingBinPath(argv1: string | undefined = process.argv[1], moduleUrl: string = import.meta.url): string {
  if (argv1 && /mailping(\.js)?$/.test(argv1) && existsSync(argv1)) return realpathSync(argv1);
  return fileURLToPath(new URL('../bin/mailping.js', moduleUrl));
}
