import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A Firefox profile whose certificate store trusts one CA, as a person's Firefox trusts the CA
 * of a real certificate. Firefox has no command-line switch for it (Chromium's
 * --ignore-certificate-errors-spki-list); its store is an NSS database in the profile, which
 * certutil (Debian's libnss3-tools) writes before Firefox starts. Trust "C,," is "a CA for TLS
 * servers" and nothing more.
 */
const run = promisify(execFile);

export interface TrustingProfile {
  dir: string;
  remove(): Promise<void>;
}

export async function makeTrustingProfile(caCertFile: string, nickname = 'MailPing Test CA'): Promise<TrustingProfile> {
  const dir = await mkdtemp(join(tmpdir(), 'mailping-firefox-profile-'));
  try {
    await run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
    await run('certutil', ['-A', '-d', `sql:${dir}`, '-n', nickname, '-t', 'C,,', '-i', caCertFile]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
