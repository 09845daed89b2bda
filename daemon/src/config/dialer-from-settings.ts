import { directDialer, type Dialer } from '../verify/smtp/dial';
import { socksDialer } from '../verify/smtp/socks-dialer';
import type { Settings } from './settings';

/** How SMTP connections leave this machine: through the configured SOCKS5 proxy, or directly. */
export function dialerFromSettings(settings: Pick<Settings, 'socksProxy'>): Dialer {
  return settings.socksProxy ? socksDialer(settings.socksProxy) : directDialer;
}
