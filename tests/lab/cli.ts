/**
 * pnpm lab up   [--dir DIR] [--dns-port N] [--greylist-delay S]  start, print the plan, stay until Ctrl-C
 * pnpm lab down [--dir DIR]                                       stop a lab left behind (state file in DIR)
 * pnpm lab status [--dir DIR]                                     what the state file says is running
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LAB_DIR, startLab } from './lab';
import { LAB_CASES, LAB_HOSTS, LAB_MX, LAB_SMTP_ADDRESSES } from './lab-table';
import { liveProcesses, readState, stopLeftovers } from './lab-state';
import { findTcpListeners } from './processes';

const USAGE = 'usage: pnpm lab up|down|status [--dir DIR] [--dns-port N] [--greylist-delay SECONDS]';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function describePlan(dnsServer: string): string {
  const domains = table([
    ['DOMAIN', 'MX (preference host address)'],
    ...Object.entries(LAB_MX).map(([domain, mxs]) => [
      domain,
      mxs === null
        ? 'null MX (0 .)'
        : mxs.map((m) => `${m.preference} ${m.host} ${LAB_HOSTS[m.host] ?? '(does not resolve)'}`).join(', '),
    ]),
    ['nomx.test', `no MX; A ${LAB_HOSTS['nomx.test']}`],
    ['nomail.test', 'no MX, no A (TXT only)'],
    ['servfail.test', 'SERVFAIL'],
    ['(anything else).test', 'NXDOMAIN'],
  ]);
  const cases = table([
    ['ADDRESS', 'EXPECTED', 'WHAT'],
    ...LAB_CASES.map((c) => [c.address, `${c.verdict}/${c.reason}`, c.what]),
  ]);
  return [
    `DNS server: ${dnsServer}   (engine: --dns-server ${dnsServer})`,
    '',
    domains,
    '',
    cases,
    '',
    `Try: swaks --server ${LAB_SMTP_ADDRESSES.valid1} --from '' --to alice@valid.test --quit-after RCPT`,
  ].join('\n');
}

async function up(dir: string, dnsPort: number | undefined, greylistDelaySeconds: number | undefined): Promise<void> {
  const lab = await startLab({ dir, dnsPort, greylistDelaySeconds });
  console.log(describePlan(lab.dnsServer));
  console.log(`\nLab dir: ${lab.dir} (maillog, dnsmasq.log, postgrey.log). Started in ${lab.startupMs} ms.`);
  console.log('Running; Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.stop();
  console.log('Lab stopped.');
}

async function down(dir: string): Promise<void> {
  const stopped = await stopLeftovers(dir);
  if (stopped.length > 0) {
    console.log(`Stopped ${stopped.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}.`);
  } else {
    console.log(`No running lab recorded in ${dir}.`);
  }
  const remaining = Object.values(LAB_SMTP_ADDRESSES).flatMap((a) => findTcpListeners(a, 25));
  const unique = [...new Map(remaining.map((l) => [`${l.address}:${l.pid}`, l])).values()];
  for (const l of unique) {
    console.log(`Still listening on ${l.address}:25: ${l.pid === null ? 'unknown process' : `pid ${l.pid} (${l.command})`}`);
  }
  if (unique.length > 0) process.exitCode = 1;
}

function status(dir: string): void {
  const state = readState(dir);
  if (!state) {
    console.log(`No lab recorded in ${dir}.`);
    return;
  }
  const live = liveProcesses(state);
  console.log(`Lab in ${dir}, started ${state.startedAt}, DNS ${state.dnsServer ?? '(not up)'}`);
  for (const p of state.processes) {
    console.log(`  ${p.name.padEnd(15)} pid ${String(p.pid).padEnd(8)} ${live.includes(p) ? 'running' : 'gone'}`);
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'dns-port': { type: 'string' },
      'greylist-delay': { type: 'string' },
    },
  });
  const dir = values.dir ?? DEFAULT_LAB_DIR;
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  switch (positionals[0]) {
    case 'up':
      return up(dir, num(values['dns-port']), num(values['greylist-delay']));
    case 'down':
      return down(dir);
    case 'status':
      return status(dir);
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
