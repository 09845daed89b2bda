import type { Browser } from 'wxt/browser';
import type { PortLike } from '@/lib/background-link';

/**
 * Two connected ends of a runtime port, in memory, with the browser's rules: messages arrive
 * asynchronously and as copies, and disconnecting one end fires onDisconnect on the other end
 * only. fakeBrowser has no runtime.connect; this stands in for the channel, not for either
 * side's code.
 */
type Listener = (message: never) => void;

interface End {
  messageListeners: Listener[];
  disconnectListeners: (() => void)[];
  peer: End | null;
  connected: boolean;
}

function end(): End {
  return { messageListeners: [], disconnectListeners: [], peer: null, connected: true };
}

export function portPair(name: string): { page: PortLike; background: Browser.runtime.Port; disconnectBackground(): void } {
  const a = end();
  const b = end();
  a.peer = b;
  b.peer = a;
  const make = (self: End) => ({
    name,
    postMessage(message: unknown) {
      if (!self.connected) throw new Error('Attempting to use a disconnected port object');
      const copy = structuredClone(message);
      setTimeout(() => {
        if (self.peer?.connected) for (const l of self.peer.messageListeners) (l as (m: unknown) => void)(copy);
      }, 0);
    },
    disconnect() {
      if (!self.connected) return;
      self.connected = false;
      const peer = self.peer!;
      if (peer.connected) {
        peer.connected = false;
        setTimeout(() => peer.disconnectListeners.forEach((l) => l()), 0);
      }
    },
    onMessage: { addListener: (l: Listener) => self.messageListeners.push(l) },
    onDisconnect: { addListener: (l: () => void) => self.disconnectListeners.push(l) },
  });
  const page = make(a) as unknown as PortLike;
  const background = make(b) as unknown as Browser.runtime.Port;
  return { page, background, disconnectBackground: () => (background as unknown as { disconnect(): void }).disconnect() };
}
