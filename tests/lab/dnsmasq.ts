/** The lab's DNS server: dnsmasq in the foreground, on 127.0.0.1:PORT over UDP and TCP. */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDnsmasqConfig } from './dns-zone';
import { spawnLogged, terminate } from './processes';
import { dnsAnswers, tcpAccepts, waitUntil } from './readiness';

export interface DnsmasqHandle {
  pid: number;
  stop(): Promise<void>;
}

export async function startDnsmasq(options: {
  dir: string;
  port: number;
  servfailPort: number;
  onSpawn?: (pid: number) => void;
}): Promise<DnsmasqHandle> {
  const configFile = join(options.dir, 'dnsmasq.conf');
  const queryLog = join(options.dir, 'dnsmasq.log');
  const processLog = join(options.dir, 'dnsmasq.stderr.log');
  writeFileSync(configFile, renderDnsmasqConfig({ port: options.port, logFile: queryLog, servfailPort: options.servfailPort }));

  // --conf-file replaces /etc/dnsmasq.conf (and whatever conf-dir it would pull in).
  const child: ChildProcess = spawnLogged('dnsmasq', ['--keep-in-foreground', `--conf-file=${configFile}`], processLog);
  if (child.pid === undefined) throw new Error('dnsmasq could not be started (is dnsmasq-base installed?)');
  const pid = child.pid;
  options.onSpawn?.(pid);
  const stop = (): Promise<void> => terminate(pid);

  const server = `127.0.0.1:${options.port}`;
  try {
    await waitUntil(
      `dnsmasq on ${server}`,
      async () => (await dnsAnswers(server, 'mx1.valid.test')) && (await tcpAccepts('127.0.0.1', options.port)),
      { child, logFile: processLog },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid, stop };
}
