/**
 * How many round trips one ordinary bench domain needs under the politeness caps, by simulation
 * (figures only, no network): the domain's 100 addresses, half unknown, in a random order; the
 * catch-all probe (refused); every RCPT in flight counted against the error budget; up to N
 * sessions side by side fed from one queue. A session costs 2 RTT to connect and be greeted,
 * 1 for EHLO, 1 per flight of RCPTs, and 1 more for QUIT unless QUIT rode with the last flight.
 *
 *   node --import tsx tests/bench/round-trip-model.ts [--runs 3000]
 *
 * It is the arithmetic behind docs/benchmarks.md, figure 2, and behind the rule in
 * daemon/src/verify/smtp/chunk-plan.ts.
 */
import { parseArgs } from 'node:util';
import { mulberry32 } from './address-list';

export interface Policy {
  errorBudget: number;
  sessions: number;
  /** A follow-up flight needs room for this many RCPTs (or for everything left). */
  followUpMin: number;
  /** QUIT rides with a flight when the room expected after it is below this; -Infinity: only with the last address. */
  quitBelow: number;
}

export interface ModelRun {
  /** RTT until the domain's last answer. */
  rtt: number;
  sessions: number;
  /** Server turns (greeting, EHLO, flights, a separate QUIT), as the bench's proxies count them. */
  turns: number;
}

export function simulateDomain(seed: number, p: Policy, addresses = 100, unknownShare = 0.5): ModelRun {
  const random = mulberry32(seed);
  const queue = Array.from({ length: addresses }, (_, i) => i < addresses * unknownShare);
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [queue[i], queue[j]] = [queue[j]!, queue[i]!];
  }
  let probePending = true;
  let sessions = 0;
  let turns = 0;
  let end = 0;
  const lanes = Array.from({ length: p.sessions }, () => ({ t: 0, open: false, errors: 0, done: false }));
  for (;;) {
    const active = lanes.filter((l) => !l.done);
    if (active.length === 0) break;
    // The lane whose next step comes first, so the shared queue is taken in time order.
    const lane = active.reduce((a, b) => (a.t <= b.t ? a : b));
    if (!lane.open) {
      if (queue.length === 0) {
        lane.done = true;
        continue;
      }
      sessions++;
      turns += 2;
      lane.t += 3;
      lane.open = true;
      lane.errors = 0;
      continue;
    }
    const withProbe = probePending;
    const room = p.errorBudget - lane.errors - (withProbe ? 1 : 0);
    const flight = queue.splice(0, Math.max(0, room));
    if (flight.length === 0) {
      lane.t += 1;
      turns++;
      lane.open = false;
      end = Math.max(end, lane.t);
      continue;
    }
    probePending = false;
    const refused = flight.filter(Boolean).length + (withProbe ? 1 : 0);
    const expectedRoom = p.errorBudget - lane.errors - (withProbe ? 1 : 0) - flight.length * 0.5;
    const quitNow = queue.length === 0 || expectedRoom < p.quitBelow;
    lane.t += 1;
    turns++;
    lane.errors += refused;
    end = Math.max(end, lane.t);
    if (quitNow) {
      lane.open = false;
      continue;
    }
    const left = p.errorBudget - lane.errors;
    const followUp = left >= 1 && (queue.length <= left || left >= p.followUpMin);
    if (!followUp) {
      lane.t += 1;
      turns++;
      lane.open = false;
      end = Math.max(end, lane.t);
    }
  }
  return { rtt: end, sessions, turns };
}

export function meanOver(runs: number, p: Policy): ModelRun {
  const sum = { rtt: 0, sessions: 0, turns: 0 };
  for (let i = 1; i <= runs; i++) {
    const r = simulateDomain(i, p);
    sum.rtt += r.rtt;
    sum.sessions += r.sessions;
    sum.turns += r.turns;
  }
  return { rtt: sum.rtt / runs, sessions: sum.sessions / runs, turns: sum.turns / runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3000' } } });
  const runs = Number(values.runs);
  const base: Policy = { errorBudget: 8, sessions: 2, followUpMin: 2, quitBelow: 2 };
  const rows: Array<[string, Policy]> = [
    ['before: follow up with room ≥ 2, QUIT only with the last address', { ...base, quitBelow: -Infinity }],
    ['now: follow up with room ≥ 2, QUIT with the likely-last flight', base],
    ['follow up with room ≥ 3 (1/3 of the budget), QUIT with the likely-last flight', { ...base, followUpMin: 3, quitBelow: 3 }],
    ['one flight per session', { ...base, followUpMin: 99, quitBelow: 99 }],
    ['trade: error budget 9 (Postfix delays from the 10th error on)', { ...base, errorBudget: 9 }],
    ['trade: error budget 10', { ...base, errorBudget: 10 }],
    ['trade: 3 connections per MX host', { ...base, sessions: 3 }],
  ];
  process.stdout.write(`One ordinary bench domain (100 addresses, half unknown, + the probe), mean of ${runs} shuffles:\n`);
  for (const [label, policy] of rows) {
    const m = meanOver(runs, policy);
    process.stdout.write(`  ${label}: ${m.rtt.toFixed(1)} RTT, ${m.sessions.toFixed(1)} sessions, ${m.turns.toFixed(1)} server turns\n`);
  }
  // With foresight (every session spends exactly its budget in one flight): ceil(51 / 8) sessions of 4 RTT, 2 at a time.
  const sessionsNeeded = Math.ceil(51 / base.errorBudget);
  process.stdout.write(`  lower bound with foresight: ${Math.ceil(sessionsNeeded / base.sessions) * 4} RTT (${sessionsNeeded} sessions of 4 RTT, ${base.sessions} at a time)\n`);
}
