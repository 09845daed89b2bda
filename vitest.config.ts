import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'extension/vitest.config.ts',
      {
        test: {
          name: 'unit',
          include: ['shared/src/**/*.test.ts', 'daemon/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'lab',
          include: ['tests/{lab,engine,cli,daemon,robustness,config,scheduler,install,scale,docs}/**/*.test.ts'],
          globalSetup: ['tests/support/build-daemon.ts', 'tests/lab/global-setup.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // After "lab": when both run, e2e reuses the lab that project started (tests/e2e/lab-setup.ts).
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/build-daemon.ts', 'tests/e2e/lab-setup.ts', 'tests/e2e/build-extension.ts'],
          environment: 'node',
          // One Chromium at a time: two cores, and each file runs a browser and a daemon.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      // The same lab and daemon as "e2e" (reused when both run), with Debian's Firefox ESR over
      // WebDriver BiDi (tests/e2e-firefox/support/firefox-browser.ts).
      {
        test: {
          name: 'e2e-firefox',
          include: ['tests/e2e-firefox/**/*.test.ts'],
          globalSetup: ['tests/support/build-daemon.ts', 'tests/e2e/lab-setup.ts', 'tests/e2e-firefox/build-extension.ts'],
          environment: 'node',
          // One Firefox at a time, and after the other projects (never beside Chromium): two
          // cores, and a Firefox launch alone took up to 27 s under load.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
