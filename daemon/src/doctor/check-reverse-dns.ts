import net from 'node:net';
import { resolveHost } from './check-dns';
import type { CheckResult, DoctorResolver } from './types';

/** Loopback, RFC 1918, CGNAT, link-local, ULA: addresses no mail server can look up. */
export function isPublicAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return !(a === 10 || a === 127 || a === 0 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224);
  }
  const v6 = ip.toLowerCase();
  return !(v6 === '::1' || v6 === '::' || v6.startsWith('fe80:') || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('::ffff:'));
}

const NO_PTR_ADVICE =
  'ask your ISP or hosting provider for a reverse DNS (PTR) record for your IP that names a host resolving back to it, or verify from a server (or through a proxy) that has one';

/**
 * Reverse DNS of our public IP: Gmail, Outlook and many others refuse or distrust a client whose
 * address has no PTR record, or whose PTR name does not resolve back to it (RFC 8601 "iprev",
 * Postfix reject_unknown_client_hostname, 5.7.25).
 */
export async function checkReverseDns(
  resolver: DoctorResolver,
  publicIp: string | undefined,
  options: { resolverWorks: boolean; why?: string },
): Promise<Omit<CheckResult, 'durationMs'> & { ptrName?: string }> {
  const base = { id: 'reverse_dns', title: 'reverse DNS' } as const;
  if (!publicIp) {
    return {
      ...base,
      status: 'skipped',
      summary: options.why ?? 'public IP unknown: the mail server did not name our address in its EHLO reply (and MailPing asks no third-party service)',
    };
  }
  if (!isPublicAddress(publicIp)) {
    return { ...base, status: 'skipped', summary: `the mail server saw us as ${publicIp}, a private address: nothing to look up` };
  }
  if (!options.resolverWorks) return { ...base, status: 'skipped', summary: `not looked up for ${publicIp}: DNS does not work` };
  let names: string[];
  try {
    names = await resolver.reverse(publicIp);
  } catch (error) {
    const code = String((error as { code?: string }).code ?? 'EUNKNOWN');
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      return { ...base, status: 'warn', summary: `${publicIp} has no reverse DNS (PTR) record: many servers refuse such clients`, advice: NO_PTR_ADVICE };
    }
    return { ...base, status: 'warn', summary: `reverse DNS of ${publicIp} could not be looked up (${code})` };
  }
  for (const name of names) {
    const forward = await resolveHost(resolver, name);
    if (forward.addresses.includes(publicIp)) {
      return { ...base, status: 'ok', summary: `${publicIp} → ${name} → ${publicIp} (forward-confirmed)`, ptrName: name.replace(/\.$/, '') };
    }
  }
  return {
    ...base,
    status: 'warn',
    summary: `${publicIp} → ${names.join(', ') || '(empty)'}, but that name does not resolve back to ${publicIp}`,
    advice: NO_PTR_ADVICE,
  };
}
