import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHROME_EXTENSION_ID, CHROME_EXTENSION_KEY } from './extension-identity';

describe('Chrome extension identity', () => {
  it('the id is the one Chrome derives from the manifest key', () => {
    const digest = createHash('sha256').update(Buffer.from(CHROME_EXTENSION_KEY, 'base64')).digest('hex').slice(0, 32);
    const id = [...digest].map((h) => String.fromCharCode(97 + parseInt(h, 16))).join('');
    expect(id).toBe(CHROME_EXTENSION_ID);
  });
});
