import type { VerifierOptions } from '../verify/options';
import { dialerFromSettings } from './dialer-from-settings';
import type { Settings } from './settings';

/** The engine's options as the settings describe them, the SOCKS5 proxy (when set) included. */
export function verifierOptionsFromSettings(settings: Settings): Partial<VerifierOptions> {
  const s = settings;
  return {
    dnsServers: s.dnsServers,
    dnsTimeoutMs: s.timeouts.dnsSeconds * 1000,
    ...(s.helo ? { helo: s.helo } : {}),
    from: s.from,
    tls: s.tls,
    timeoutMs: s.timeouts.totalSeconds * 1000,
    connectTimeoutMs: s.timeouts.connectSeconds * 1000,
    greetingTimeoutMs: s.timeouts.greetingSeconds * 1000,
    commandTimeoutMs: s.timeouts.commandSeconds * 1000,
    maxConnectionsPerHost: s.politeness.connectionsPerHost,
    maxRcptPerSession: s.politeness.maxRcptPerSession,
    errorBudget: s.politeness.errorBudget,
    greylistRetryMs: s.greylist.retryDelaySeconds * 1000,
    deferralBackoffMs: s.politeness.backoffSeconds * 1000,
    dial: dialerFromSettings(s),
  };
}
