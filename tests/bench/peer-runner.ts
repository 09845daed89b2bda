/**
 * Runs one npm peer over a list of addresses, in its own process (their module-level caches and
 * timers stay out of the bench, and every run starts cold like a fresh install):
 *
 *   node --import tsx tests/bench/peer-runner.ts --peer deep|devmehq --dns-server 127.0.0.1:PORT < addresses.json
 *
 * The peers resolve MX with Node's resolver and connect by host name, so both go to the lab's DNS:
 * dns.setServers before they load, and dns.lookup (which net.connect uses, and which ignores
 * setServers) answered from the same server. Politeness is the harness's, as the peers have none:
 * at most --per-host verifications at once per domain (every bench domain has one MX host).
 * Prints one JSON line per address, then one line with the wall time.
 */
import dns from 'node:dns';
import { parseArgs } from 'node:util';

export type PeerAnswer = 'exists' | 'not_found' | 'unknown';
export interface PeerLine {
  address: string;
  answer: PeerAnswer;
  detail: string;
  ms: number;
}

const { values } = parseArgs({
  options: {
    peer: { type: 'string' },
    'dns-server': { type: 'string' },
    'per-host': { type: 'string', default: '2' },
    'timeout-ms': { type: 'string', default: '10000' },
  },
});
const server = values['dns-server'];
if (!server || (values.peer !== 'deep' && values.peer !== 'devmehq')) {
  process.stderr.write('usage: peer-runner.ts --peer deep|devmehq --dns-server IP:PORT < addresses.json\n');
  process.exit(64);
}
const perHost = Number(values['per-host']);
const timeoutMs = Number(values['timeout-ms']);

dns.setServers([server]);
dns.promises.setServers([server]);
const resolver = new dns.promises.Resolver({ timeout: 3000, tries: 2 });
resolver.setServers([server]);

type LookupCallback = (error: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;
// net.connect resolves host names with dns.lookup (getaddrinfo), which never asks the lab.
(dns as { lookup: unknown }).lookup = (hostname: string, options: unknown, callback?: LookupCallback): void => {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
  const literal = /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? [hostname] : null;
  (literal ? Promise.resolve(literal) : resolver.resolve4(hostname)).then(
    (ips) => (all ? cb(null, ips.map((address) => ({ address, family: 4 }))) : cb(null, ips[0]!, 4)),
    (error: NodeJS.ErrnoException) => cb(error),
  );
};

type Check = (address: string) => Promise<{ answer: PeerAnswer; detail: string }>;

async function deepEmailValidator(): Promise<Check> {
  const { validate } = await import('deep-email-validator');
  return async (address) => {
    // Typo and disposable-list checks are offline and not what is compared here; off, so that a
    // ".test" domain is not taken for a typo.
    const out = await validate({ email: address, sender: 'verifier@mailping.test', validateTypo: false, validateDisposable: false });
    if (out.valid) return { answer: 'exists', detail: 'valid' };
    const reason = out.reason ? (out.validators as Record<string, { reason?: string }>)[out.reason]?.reason ?? '' : '';
    if (out.reason === 'smtp' && reason === 'Mailbox not found.') return { answer: 'not_found', detail: reason };
    return { answer: 'unknown', detail: `${out.reason}: ${reason}` };
  };
}

async function devmehq(): Promise<Check> {
  const { verifyEmail } = await import('@devmehq/email-validator-js');
  return async (address) => {
    const out = await verifyEmail({ emailAddress: address, verifyMx: true, verifySmtp: true, timeout: timeoutMs });
    if (out.validSmtp === true) return { answer: 'exists', detail: 'validSmtp: true' };
    if (out.validSmtp === false) return { answer: 'not_found', detail: `validSmtp: false (validMx: ${out.validMx})` };
    return { answer: 'unknown', detail: `validSmtp: null (validMx: ${out.validMx})` };
  };
}

const addresses = JSON.parse(await new Promise<string>((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve(text));
})) as string[];
const check = values.peer === 'deep' ? await deepEmailValidator() : await devmehq();

const byDomain = new Map<string, string[]>();
for (const a of addresses) {
  const domain = a.slice(a.lastIndexOf('@') + 1).toLowerCase();
  byDomain.set(domain, [...(byDomain.get(domain) ?? []), a]);
}

const started = performance.now();
await Promise.all(
  [...byDomain.values()].map(async (list) => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const address = list[next++]!;
        const t0 = performance.now();
        let outcome: { answer: PeerAnswer; detail: string };
        try {
          outcome = await check(address);
        } catch (error) {
          outcome = { answer: 'unknown', detail: `threw: ${(error as Error).message}` };
        }
        const line: PeerLine = { address, ...outcome, ms: Math.round((performance.now() - t0) * 10) / 10 };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(perHost, list.length) }, worker));
  }),
);
process.stdout.write(`${JSON.stringify({ wallMs: Math.round(performance.now() - started) })}\n`);
// The peers leave sockets and timers behind (no QUIT, no unref): do not wait for them.
process.exit(0);
