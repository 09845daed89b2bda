/**
 * A self-signed certificate for the Postfix listeners' STARTTLS, made with openssl once and
 * kept in the lab dir (a P-256 key takes milliseconds, but there is no reason to redo it).
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_HOSTS } from './lab-table';
import { run } from './processes';

export interface LabCertificate {
  certFile: string;
  keyFile: string;
}

export async function ensureCertificate(dir: string): Promise<LabCertificate> {
  const tlsDir = join(dir, 'tls');
  const certFile = join(tlsDir, 'cert.pem');
  const keyFile = join(tlsDir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  mkdirSync(tlsDir, { recursive: true, mode: 0o755 });
  const names = Object.keys(LAB_HOSTS).filter((h) => h.endsWith('.test'));
  const result = await run('openssl', [
    'req', '-x509', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile,
    '-days', '3650',
    '-subj', '/CN=mx.tls.test/O=MailPing lab',
    '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
  ]);
  if (result.code !== 0 || !existsSync(certFile)) {
    throw new Error(`openssl could not make the lab certificate:\n${result.stderr}`);
  }
  chmodSync(keyFile, 0o600);
  chmodSync(certFile, 0o644);
  return { certFile, keyFile };
}
