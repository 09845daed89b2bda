/** MailPing's version: the daemon package's (esbuild inlines the JSON, so the bundle carries it). */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
