import { runCli } from './run-cli';
import { CHROME_ORIGIN, connect, type TestClient } from './ws-test-client';

/** A pairing code from the real `mailping pair` against `home` (the daemon need not run). */
export async function newPairingCode(home: string, options: { ttlSeconds?: number } = {}): Promise<string> {
  const run = await runCli(['pair', '--json', ...(options.ttlSeconds ? ['--ttl-seconds', String(options.ttlSeconds)] : [])], {
    env: { MAILPING_HOME: home },
  });
  if (run.code !== 0) throw new Error(`mailping pair failed (${run.code}): ${run.stderr}`);
  return (JSON.parse(run.stdout) as { code: string }).code;
}

/** Pairs like the extension does (code → token) and returns the authenticated connection. */
export async function pairClient(port: number, home: string, origin = CHROME_ORIGIN, label = 'test'): Promise<{ client: TestClient; token: string; tokenId: string }> {
  const code = await newPairingCode(home);
  const client = await connect(port, { origin });
  client.send({ type: 'pair', version: 1, code, label });
  const paired = await client.next('paired');
  await client.next('welcome');
  return { client, token: paired.token, tokenId: paired.token.split('.')[0]! };
}

/** Connects and says hello with a token; resolves once welcomed. */
export async function helloClient(port: number, token: string, origin = CHROME_ORIGIN): Promise<TestClient> {
  const client = await connect(port, { origin });
  client.send({ type: 'hello', version: 1, token, client: { name: 'test', version: '0' } });
  await client.next('welcome');
  return client;
}
