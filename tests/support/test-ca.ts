import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A certificate authority made by the test with Debian's openssl, and server certificates it
 * signs, so server mode runs over real TLS with a name of its own (verify.mailping.test) and
 * clients trust exactly this CA. EC P-256 keys: quick to make, accepted by Node and Chromium.
 */
const run = promisify(execFile);

export interface TestCa {
  dir: string;
  caCert: string;
  /** PEM of the CA certificate, for `ca:` options. */
  caPem: string;
  issue(name: string, file?: string): Promise<{ cert: string; key: string }>;
  remove(): Promise<void>;
}

export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'mailping-ca-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', caKey, '-out', caCert, '-days', '2', '-subj', '/CN=MailPing Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 1;
  return {
    dir,
    caCert,
    caPem: await readFile(caCert, 'utf8'),
    async issue(name, file = name) {
      const key = join(dir, `${file}.key`);
      const csr = join(dir, `${file}.csr`);
      const cert = join(dir, `${file}.pem`);
      const ext = join(dir, `${file}.ext`);
      await writeFile(ext, `subjectAltName=DNS:${name}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
      await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
      await run('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(serial++), '-out', cert, '-days', '2', '-extfile', ext]);
      return { cert, key };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
