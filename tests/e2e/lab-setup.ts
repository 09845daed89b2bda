/**
 * vitest globalSetup of the e2e project: the lab from tests/lab/global-setup.ts. Vitest runs
 * each project's global setup in turn, in one process; when the "lab" project of the same run
 * has already started the lab, this one reuses it (a second lab cannot bind the same addresses)
 * and leaves stopping it to its owner. Alone (`--project e2e`), it starts and stops its own.
 * MAILPING_E2E_LAB_DNS=127.0.0.1:PORT points the suite at a lab already running (`pnpm lab up`
 * prints its DNS server), for quick runs while working on the extension.
 */
import type { TestProject } from 'vitest/node';
import labSetup from '../lab/global-setup';
import { DEFAULT_GREYLIST_DELAY_SECONDS, DEFAULT_LAB_DIR } from '../lab/lab';
import { liveProcesses, readState } from '../lab/lab-state';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.MAILPING_E2E_LAB_DNS;
  if (external) {
    project.provide('lab', {
      dnsServer: external,
      dnsPort: Number(external.split(':')[1]),
      dir: '',
      greylistDelaySeconds: DEFAULT_GREYLIST_DELAY_SECONDS,
    });
    return undefined;
  }
  const state = readState(DEFAULT_LAB_DIR);
  const ownedByThisRun = state?.processes.some((p) => p.name === 'owner' && p.pid === process.pid) ?? false;
  if (state?.dnsServer && ownedByThisRun && liveProcesses(state).length > 0) {
    project.provide('lab', {
      dnsServer: state.dnsServer,
      dnsPort: Number(state.dnsServer.split(':')[1]),
      dir: state.dir,
      greylistDelaySeconds: DEFAULT_GREYLIST_DELAY_SECONDS,
    });
    return undefined;
  }
  return labSetup(project);
}
