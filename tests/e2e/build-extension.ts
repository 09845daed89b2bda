/**
 * vitest globalSetup of the e2e project: builds the Chrome extension once (the same `wxt build`
 * the README tells people to run) and hands its folder to the tests.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    extensionDir: string;
  }
}

const EXTENSION_ROOT = fileURLToPath(new URL('../../extension/', import.meta.url));
const WXT = fileURLToPath(new URL('../../extension/node_modules/wxt/bin/wxt.mjs', import.meta.url));

/** Runs `wxt build <args>` in extension/ and returns the output folder (`target`, e.g. chrome-mv3). */
export async function wxtBuild(args: string[], target: string): Promise<string> {
  try {
    await promisify(execFile)(process.execPath, [WXT, 'build', ...args], { cwd: EXTENSION_ROOT, env: { ...process.env, NO_COLOR: '1' } });
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`wxt build ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
  return `${EXTENSION_ROOT}.output/${target}`;
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('extensionDir', await wxtBuild([], 'chrome-mv3'));
}
