/**
 * vitest globalSetup of every project that needs the mail lab (lab, lab-solo, e2e,
 * e2e-firefox): one lab for the whole run, its coordinates handed to the test workers through
 * provide/inject (the Lab object itself cannot cross to a worker). Vitest runs each project's
 * global setup in turn, in its one main process, loading this module anew for each project: the
 * lab is kept on globalThis, so the first project to ask starts it and stops it at the end, and
 * the others reuse it (a second lab could not bind the same addresses).
 */
import type { TestProject } from 'vitest/node';
import { startLab, type Lab } from './lab';

export interface ProvidedLab {
  dnsServer: string;
  dnsPort: number;
  dir: string;
  greylistDelaySeconds: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    lab: ProvidedLab;
  }
}

const RUN_LAB = Symbol.for('mailping.tests.lab');

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const store = globalThis as { [RUN_LAB]?: Promise<Lab> };
  const owner = store[RUN_LAB] === undefined;
  // startLab waits for another run's lab to stop (a machine-wide lock) rather than failing.
  store[RUN_LAB] ??= startLab();
  const lab = await store[RUN_LAB];
  project.provide('lab', {
    dnsServer: lab.dnsServer,
    dnsPort: lab.dnsPort,
    dir: lab.dir,
    greylistDelaySeconds: lab.greylistDelaySeconds,
  });
  if (!owner) return undefined;
  return async () => {
    delete store[RUN_LAB];
    await lab.stop();
  };
}
