/**
 * vitest globalSetup of the browser projects: the run's lab (tests/lab/global-setup.ts, shared
 * with the lab projects when they run too).
 * MAILPING_E2E_LAB_DNS=127.0.0.1:PORT points the suite at a lab already running (`pnpm lab up`
 * prints its DNS server), for quick runs while working on the extension.
 */
import type { TestProject } from 'vitest/node';
import labSetup from '../lab/global-setup';
import { DEFAULT_GREYLIST_DELAY_SECONDS } from '../lab/lab';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.MAILPING_E2E_LAB_DNS;
  if (!external) return labSetup(project);
  project.provide('lab', {
    dnsServer: external,
    dnsPort: Number(external.split(':')[1]),
    dir: '',
    greylistDelaySeconds: DEFAULT_GREYLIST_DELAY_SECONDS,
  });
  return undefined;
}
