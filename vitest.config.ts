import { defineConfig } from 'vitest/config';

/** Lab files that measure concurrency at the servers, or load the machine: they run alone. */
const LAB_SOLO = ['tests/robustness/load.test.ts', 'tests/scale/workers.test.ts'];

export default defineConfig({
  test: {
    // Files at once in the projects that allow it (unit, extension, lab): most lab files wait on
    // servers and timers, not on the two cores, and overlap well with the CPU-bound unit tests.
    // Vitest's default here would be one (cores - 1).
    maxWorkers: 3,
    projects: [
      'extension/vitest.config.ts',
      {
        test: {
          name: 'unit',
          include: ['shared/src/**/*.test.ts', 'daemon/src/**/*.test.ts'],
          environment: 'node',
          // A hang guard, not a speed check: on a busy machine, with other files beside it, a test
          // that loads every command's code (command-registry.test.ts) or runs 200 property cases
          // took over the default 5 s.
          testTimeout: 15_000,
        },
      },
      // One lab for the whole run, whichever project starts it (tests/lab/global-setup.ts). Its
      // files share it safely: each test uses its own sender (new greylisting triplets), source
      // addresses or scripted servers.
      {
        test: {
          name: 'lab',
          include: ['tests/{lab,engine,cli,daemon,robustness,config,scheduler,install,scale,docs}/**/*.test.ts'],
          exclude: LAB_SOLO,
          globalSetup: ['tests/support/build-daemon.ts', 'tests/lab/global-setup.ts'],
          environment: 'node',
          // Hang guards: three files at a time on two cores make a test that spawns a dozen
          // `mailping` commands (tests/docs) take over 30 s on a busy machine.
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: 'lab-solo',
          include: LAB_SOLO,
          globalSetup: ['tests/support/build-daemon.ts', 'tests/lab/global-setup.ts'],
          environment: 'node',
          // Alone: after the parallel projects, one file at a time, like the browser suites.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
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
