import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerificationResult, Verdict } from '@mailping/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { columnWidth, ListOutput } from './list-output';

function result(address: string, verdict: Verdict): VerificationResult {
  return {
    address,
    normalized: address,
    verdict,
    reason: verdict === 'deliverable' ? 'accepted' : 'mailbox_not_found',
    detail: '',
    mx: null,
    reply: null,
    suggestion: null,
    flags: { disposable: false, roleAccount: false, freeProvider: false },
    checkedAt: '2026-12-05T00:00:00.000Z',
  } as unknown as VerificationResult;
}

describe('ListOutput', () => {
  let dir: string;
  let stdout: string[];
  let said: string[];
  const say = (line: string): void => void said.push(line);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailping-list-output-'));
    stdout = [];
    said = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints answers in list order as soon as the ones before them are in', async () => {
    const output = (await ListOutput.open({ json: true, progress: false }, null, { total: 3, width: 10, say }))!;
    output.add(1, { result: result('b@x.test', 'undeliverable'), cached: false });
    expect(stdout).toEqual([]);
    output.add(0, { result: result('a@x.test', 'deliverable'), cached: true });
    output.add(2, { address: 'c@x.test', error: { code: 'timeout', message: 'no answer' } });
    output.close();
    output.reportFile();
    expect(stdout.map((line) => JSON.parse(line) as { address: string })).toEqual([
      expect.objectContaining({ address: 'a@x.test', verdict: 'deliverable' }),
      expect.objectContaining({ address: 'b@x.test', verdict: 'undeliverable' }),
      { address: 'c@x.test', error: { code: 'timeout', message: 'no answer' } },
    ]);
    // No --out: nothing to report.
    expect(said).toEqual([]);
  });

  it('writes results (not errors) to the --out file in list order, and only there without --json', async () => {
    const out = join(dir, 'results.csv');
    const output = (await ListOutput.open({ out, progress: false }, 'csv', { total: 3, width: 10, say }))!;
    output.add(2, { result: result('c@x.test', 'deliverable'), cached: false });
    output.add(0, { result: result('a@x.test', 'undeliverable'), cached: false });
    output.add(1, { address: 'b@x.test', error: { code: 'timeout', message: 'no answer' } });
    output.close();
    output.reportFile();
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toMatch(/^address,/);
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['a@x.test', 'c@x.test']);
    expect(stdout).toEqual([]);
    expect(said).toEqual([`3 results written to ${out} (1 deliverable, 1 undeliverable, 0 risky, 0 unknown)`]);
  });

  it('says why when the --out file cannot be written', async () => {
    const out = join(dir, 'missing-dir', 'results.csv');
    expect(await ListOutput.open({ out, progress: true }, 'csv', { total: 2, width: 10, say })).toBeNull();
    expect(said).toEqual([expect.stringMatching(new RegExp(`^cannot write ${out}: ENOENT`))]);
  });

  it('prints human lines padded to the column width, and says what a run waits for without a bar', async () => {
    const output = (await ListOutput.open({ progress: true }, null, { total: 2, width: columnWidth([' a@x.test ', 'longer@x.test']), say }))!;
    expect(output.showsBar).toBe(false);
    output.add(1, { address: 'b@x.test', error: { code: 'timeout', message: 'no answer' } });
    output.add(0, { result: result('a@x.test', 'deliverable'), cached: false });
    output.waiting('mx.x.test until 10:05');
    output.waiting(null);
    output.close();
    // Colours, when the terminal has them.
    const plain = stdout.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(plain[0]).toMatch(/^✔ deliverable +a@x\.test {5} {2}\S/);
    expect(plain[1]).toBe('b@x.test  error: no answer\n');
    expect(said).toEqual(['waiting to ask again: mx.x.test until 10:05']);
    expect(columnWidth(['a'.repeat(60)])).toBe(40);
  });
});
