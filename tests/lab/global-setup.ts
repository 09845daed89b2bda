/**
 * vitest globalSetup for the lab project: one lab for the whole run, its coordinates handed to
 * the test workers through provide/inject (the Lab object itself cannot cross to a worker).
 */
import type { TestProject } from 'vitest/node';
import { startLab } from './lab';

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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // startLab waits for another run's lab to stop (a machine-wide lock) rather than failing.
  const lab = await startLab();
  project.provide('lab', {
    dnsServer: lab.dnsServer,
    dnsPort: lab.dnsPort,
    dir: lab.dir,
    greylistDelaySeconds: lab.greylistDelaySeconds,
  });
  return () => lab.stop();
}
