import { describe, expect, it } from 'vitest';
import { directDialer } from '../verify/smtp/dial';
import { dialerFromSettings } from './dialer-from-settings';
import { DEFAULT_SETTINGS } from './settings';
import { verifierOptionsFromSettings } from './verifier-options';

describe('dialerFromSettings', () => {
  it('connects directly without a proxy, through it with one', () => {
    expect(dialerFromSettings({ socksProxy: null })).toBe(directDialer);
    expect(dialerFromSettings({ socksProxy: 'socks5://127.0.0.1:1080' })).not.toBe(directDialer);
    expect(verifierOptionsFromSettings(DEFAULT_SETTINGS).dial).toBe(directDialer);
    expect(verifierOptionsFromSettings({ ...DEFAULT_SETTINGS, socksProxy: 'socks5://127.0.0.1:1080' }).dial).not.toBe(directDialer);
  });
});
