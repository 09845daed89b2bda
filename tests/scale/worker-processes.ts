import { spawn, type ChildProcess } from 'node:child_process';
import { makeHome, removeHome } from '../support/daemon-process';
import { processCpuMs } from '../support/cpu-time';
import { MAILPING_BIN } from '../support/run-cli';

export interface WorkerProcess {
  sourceAddress: string;
  child: ChildProcess;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Stops it (SIGTERM: running batches finish) and says how much CPU it used, in ms (null if unknown). */
  stop(): Promise<number | null>;
}

/** `mailping worker`, the real command, in a child process of its own, with its own home. */
export async function startWorkerProcess(options: {
  queueUrl: string;
  sourceAddress: string;
  dnsServer: string;
  timeScale: number;
  settings?: Record<string, unknown>;
  /** Batches at once: 4 workers × 4 keep the 20 connection slots of 10 domains busy. Null: the worker's own default. */
  concurrency?: number | null;
}): Promise<WorkerProcess> {
  const home = await makeHome(options.settings ?? {});
  const child = spawn(
    process.execPath,
    [MAILPING_BIN, 'worker', '--queue', options.queueUrl, '--source-address', options.sourceAddress, '--helo', `worker-${options.sourceAddress.replaceAll('.', '-')}.mailping.test`, '--dns-server', options.dnsServer, ...(options.concurrency === null ? [] : ['--concurrency', String(options.concurrency ?? 4)])],
    { env: { ...process.env, MAILPING_HOME: home, MAILPING_TIME_SCALE: String(options.timeScale), NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!stderr.includes('ready:')) {
    if (child.exitCode !== null) throw new Error(`worker ${options.sourceAddress} exited: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${options.sourceAddress} did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    sourceAddress: options.sourceAddress,
    child,
    stderr: () => stderr,
    kill: (signal) => void child.kill(signal),
    async stop() {
      let cpuMs: number | null = null;
      if (child.exitCode === null && child.signalCode === null) {
        // Read while it still runs: /proc forgets a process once it is reaped.
        cpuMs = processCpuMs(child.pid);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await removeHome(home);
      return cpuMs;
    },
  };
}

