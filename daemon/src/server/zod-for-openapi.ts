import { ZodType, type z as zodNamespace } from 'zod';

/**
 * The `z` that @hono/zod-openapi gets in the bundle (scripts/build.mjs points its `import { z }
 * from "zod"` here). It only adds `.openapi()` to ZodType and re-exports `z`, which we never use;
 * but a whole namespace object keeps every export of zod alive in the bundle: 40 locales, JSON
 * Schema conversion, the parser compiler, ~750 KB loaded by every command that parses anything.
 */
export const z = { ZodType } as unknown as typeof zodNamespace;
