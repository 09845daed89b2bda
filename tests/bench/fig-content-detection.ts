import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Figure 4: content-script detection, measured by the extension's own bench
 * (tests/bench/content-detection.ts, run as it is: it builds the extension and drives Debian's
 * Chromium). Its lines are kept whole; the detection figures are picked out for the targets.
 */
export interface ContentDetectionFigure {
  lines: string[];
  /** Detection pass on the 10,000-element page, when it could be read from the output. */
  detectMedianMs: number | null;
  detectP90Ms: number | null;
  error?: string;
}

export async function contentDetectionFigure(runs: number): Promise<ContentDetectionFigure> {
  const script = fileURLToPath(new URL('./content-detection.ts', import.meta.url));
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--runs', String(runs)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const detect = /detection pass[^:]*:\s*median ([\d.]+) ?ms, p90 ([\d.]+) ?ms/.exec(stdout);
  return {
    lines,
    detectMedianMs: detect ? Number(detect[1]) : null,
    detectP90Ms: detect ? Number(detect[2]) : null,
    ...(code !== 0 && { error: `content-detection.ts exited ${code}: ${(stderr || stdout).trim().split('\n').slice(-5).join(' / ').slice(0, 600)}` }),
  };
}

export function renderContentDetection(f: ContentDetectionFigure): string {
  if (f.error && f.lines.length === 0) return `Not measured: ${f.error}`;
  return ['```', ...f.lines, '```', ...(f.error ? ['', `(the run ended with an error: ${f.error})`] : [])].join('\n');
}
