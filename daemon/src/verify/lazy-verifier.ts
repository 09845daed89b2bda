import { resolveOptions, type VerifierOptions } from './options';
import type { Verifier } from './pipeline';

/**
 * A verifier whose engine (DNS, SMTP sessions, TLS, the reply classifier, the address lists)
 * loads at its first verification, not at start: what a daemon waiting all day for the browser
 * extension does not hold in memory until it is asked something. The options are resolved now,
 * so a bad one still fails at start and the scheduler can read them.
 */
export function createLazyVerifier(overrides: Partial<VerifierOptions> = {}, hooks: { onLoad?: () => void } = {}): Verifier {
  const options = resolveOptions(overrides);
  let engine: Promise<Verifier> | null = null;
  const load = (): Promise<Verifier> =>
    (engine ??= import('./pipeline').then(({ createVerifier }) => {
      hooks.onLoad?.();
      return createVerifier(options);
    }));
  return {
    options,
    verify: async (inputs, hooks) => (await load()).verify(inputs, hooks),
    verifyDomain: async (domain, addresses, hooks) => (await load()).verifyDomain(domain, addresses, hooks),
  };
}
