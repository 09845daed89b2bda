import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor } from './command-registry';

describe('the command registry', () => {
  it('names each command by the name its module gives it', async () => {
    for (const [name, load] of Object.entries(COMMANDS)) {
      const make = await load();
      expect(make(() => undefined).name()).toBe(name);
    }
  });

  it('defines only the command that runs, and all of them for help or an unknown word', () => {
    expect(commandsFor(['verify', '--no-cache', 'a@b.example'])).toEqual(['verify']);
    expect(commandsFor(['serve'])).toEqual(['serve']);
    expect(commandsFor([])).toEqual(Object.keys(COMMANDS));
    expect(commandsFor(['--help'])).toEqual(Object.keys(COMMANDS));
    expect(commandsFor(['help', 'verify'])).toEqual(Object.keys(COMMANDS));
    expect(commandsFor(['frob'])).toEqual(Object.keys(COMMANDS));
    expect(commandsFor(['toString'])).toEqual(Object.keys(COMMANDS));
  });
});
