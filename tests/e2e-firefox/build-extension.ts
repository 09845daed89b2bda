/**
 * vitest globalSetup of the e2e-firefox project: builds the Firefox MV3 extension once (what
 * `pnpm build` builds for Firefox) and hands its folder to the tests.
 */
import type { TestProject } from 'vitest/node';
import { wxtBuild } from '../e2e/build-extension';

declare module 'vitest' {
  export interface ProvidedContext {
    firefoxExtensionDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('firefoxExtensionDir', await wxtBuild(['-b', 'firefox', '--mv3'], 'firefox-mv3'));
}
