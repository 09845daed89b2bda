/**
 * zod builds fast parsers with `new Function` when it may, after probing whether it may. An
 * extension never may (MV3's CSP forbids it, and addons.mozilla.org's linter flags any Function
 * constructor as eval: DANGEROUS_EVAL), and `z.config({ jitless: true })` only skips the probe at
 * run time: the code stays in the bundle. This plugin swaps the Function constructor in the three
 * zod files that hold one for a function that throws, so zod's own fallback (the interpreter it
 * uses whenever code generation is refused) is what runs, and no eval is left in the package.
 * It fails the build when a file no longer has the line, so a zod upgrade cannot bring eval back silently.
 */
const FILES = /[\\/]zod[\\/]v4[\\/]core[\\/](util|doc|compile)\.js$/;
const CONSTRUCTOR = /const F = Function;/g;
const REFUSE = 'const F = function () { throw new EvalError("code generation is not allowed in the MailPing extension"); };';

/** The part of Vite's plugin context this plugin uses (vite itself is wxt's dependency, not ours). */
interface TransformContext {
  error(message: string): never;
}

export function zodWithoutEval() {
  return {
    name: 'mailping:zod-without-eval',
    enforce: 'pre' as const,
    transform(this: TransformContext, code: string, id: string) {
      if (!FILES.test(id)) return null;
      const count = code.match(CONSTRUCTOR)?.length ?? 0;
      if (count !== 1) this.error(`zod-without-eval: expected one "const F = Function;" in ${id}, found ${count}: zod changed, update the plugin`);
      return { code: code.replace(CONSTRUCTOR, REFUSE), map: null };
    },
  };
}
