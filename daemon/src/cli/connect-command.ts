import { Command, Option } from 'commander';
import { EXIT_CONFIG, EXIT_NOPERM, EXIT_TEMPFAIL, EXIT_UNAVAILABLE, EXIT_USAGE } from './exit-codes';

/**
 * `mailping connect <url> <code>`: redeems an invite from a MailPing server for a token and keeps
 * both in the settings (client.server, client.token; config.json is mode 0600), so that
 * `mailping verify --server` needs nothing more.
 */
export function connectCommand(setExitCode: (code: number) => void): Command {
  return new Command('connect')
    .description('pair this command line with a MailPing server using an invite code (from `mailping invite` on the server)')
    .argument('<url>', 'the server, https://verify.example.com')
    .argument('<code>', 'the invite code, XXXX-XXXX')
    .addOption(new Option('--resolve <name:address>', 'connect to this address for this name, like curl --resolve').hideHelp())
    .action(async (url: string, code: string, flags: { resolve?: string }) => {
      const { parseServerUrl } = await import('./server-url');
      const parsed = parseServerUrl(url);
      if (!parsed.ok) {
        process.stderr.write(`mailping connect: ${parsed.message}\n`);
        return setExitCode(EXIT_USAGE);
      }
      const { createServerClient } = await import('./server-client');
      const at = flags.resolve?.indexOf(':') ?? -1;
      const resolve = flags.resolve && at > 0 ? { name: flags.resolve.slice(0, at), address: flags.resolve.slice(at + 1) } : undefined;
      const client = createServerClient(parsed.base, null, resolve ? { resolve } : {});
      let answer;
      try {
        answer = await client.json('POST', '/v1/pair', { code, label: 'command line' });
      } catch (error) {
        process.stderr.write(`mailping connect: cannot reach ${parsed.base.host}: ${(error as Error).message}\n`);
        return setExitCode(EXIT_UNAVAILABLE);
      } finally {
        client.close();
      }
      if (answer.status !== 201) {
        const message = (answer.body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${answer.status}`;
        process.stderr.write(`mailping connect: ${message}\n`);
        return setExitCode(answer.status === 429 ? EXIT_TEMPFAIL : EXIT_NOPERM);
      }
      const token = (answer.body as { token: string }).token;
      const { mailpingPaths } = await import('../config/paths');
      const { readStoredSettings, writeSettingsFile } = await import('../config/config-file');
      const { settingsSchema } = await import('../config/settings');
      const paths = mailpingPaths();
      const stored = readStoredSettings(paths);
      if (!stored.ok) {
        process.stderr.write(`mailping connect: ${stored.message}\n`);
        process.stdout.write(`${token}\n`);
        return setExitCode(EXIT_CONFIG);
      }
      const settings = settingsSchema.parse({ ...stored.stored, client: { server: parsed.base.href, token } });
      writeSettingsFile(paths, settings);
      process.stdout.write(`Connected to ${parsed.base.host} as token ${token.split('.')[0]}. \`mailping verify --server <addresses>\` now verifies there.\n`);
    });
}
