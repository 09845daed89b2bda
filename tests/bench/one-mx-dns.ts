import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DOMAINS, benchMxAddress } from '../lab/bench-table';
import { spawnLogged, terminate } from '../lab/processes';
import { dnsAnswers, freePort, waitUntil } from '../lab/readiness';

const ONE_MX = 'mx.one-mx.test';

/**
 * A second dnsmasq (the lab's own DNS is left alone) in which every bench domain has the same
 * MX, bench1.test's proxy: "all domains on one MX host", where the per-host connection cap binds
 * for all of them at once, however many workers there are.
 */
export async function startOneMxDns(): Promise<{ server: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mailping-one-mx-dns-'));
  const port = await freePort('127.0.0.1', { udp: true });
  const config = [
    `port=${port}`,
    'listen-address=127.0.0.1',
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    'no-poll',
    'cache-size=0',
    // As the lab's DNS: real records carry TTLs (see tests/lab/dns-zone.ts).
    'local-ttl=300',
    'pid-file=',
    'local=/test/',
    ...BENCH_DOMAINS.map((d) => `mx-host=${d},${ONE_MX},10`),
    `host-record=${ONE_MX},${benchMxAddress(1)}`,
  ];
  const file = join(dir, 'dnsmasq.conf');
  const log = join(dir, 'dnsmasq.stderr.log');
  await writeFile(file, `${config.join('\n')}\n`);
  const child = spawnLogged('dnsmasq', ['--keep-in-foreground', `--conf-file=${file}`], log);
  const server = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined) await terminate(child.pid);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`dnsmasq (one MX) on ${server}`, () => dnsAnswers(server, ONE_MX), { child, logFile: log });
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, stop };
}
