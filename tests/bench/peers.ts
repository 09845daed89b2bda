import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerAnswer, PeerLine } from './peer-runner';

/** The npm peers compared with MailPing, each run in a fresh process by peer-runner.ts. */
export const PEERS = [
  { id: 'deep', name: 'deep-email-validator 0.1.27' },
  { id: 'devmehq', name: '@devmehq/email-validator-js 2.x' },
] as const;
export type PeerId = (typeof PEERS)[number]['id'];

const RUNNER = fileURLToPath(new URL('./peer-runner.ts', import.meta.url));

export interface PeerRun {
  lines: PeerLine[];
  /** The verifications alone (the runner's clock), without the process start and module load. */
  wallMs: number;
}

export async function runPeer(peer: PeerId, list: readonly string[], dnsServer: string, options: { perHost?: number } = {}): Promise<PeerRun> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', RUNNER, '--peer', peer, '--dns-server', dnsServer, '--per-host', String(options.perHost ?? 2)],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('.', import.meta.url)) },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    child.stdin.end(JSON.stringify(list));
  });
  if (code !== 0) throw new Error(`peer ${peer} exited ${code}: ${stderr.slice(0, 2000)}`);
  const parsed = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PeerLine | { wallMs: number });
  const lines = parsed.filter((p): p is PeerLine => 'address' in p);
  const wall = parsed.find((p): p is { wallMs: number } => 'wallMs' in p);
  if (!wall || lines.length !== list.length) throw new Error(`peer ${peer} answered ${lines.length} of ${list.length}: ${stderr.slice(0, 500)}`);
  return { lines, wallMs: wall.wallMs };
}

export type { PeerAnswer, PeerLine };
