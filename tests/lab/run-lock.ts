import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The lab binds fixed loopback addresses, so two test runs on one machine (two terminals, or
 * several engineers' runs) cannot both have one. A run takes this lock before starting the lab
 * and waits for a running one to finish instead of failing on "address in use".
 * mkdir is atomic; the owner's pid inside lets a crashed run's lock be taken over.
 */
const LOCK = join(tmpdir(), 'mailping-lab.lock');

export async function acquireLabLock(timeoutMs = 15 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      return async () => {
        await rm(LOCK, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => '0'));
    if (owner > 0 && !isAlive(owner)) {
      await rm(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Cannot start the mail lab: another run (pid ${owner}) holds it (${LOCK}); it is released when that run stops its lab.`);
    }
    if (!announced) {
      process.stderr.write(`waiting for another test run's mail lab (pid ${owner || '?'}) to finish…\n`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, owner > 0 ? 500 : 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
