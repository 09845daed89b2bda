// Kept apart from protocol.ts (and its zod schemas) so pages that only need the port stay small.

/** Default TCP port of the daemon on loopback. */
export const DEFAULT_DAEMON_PORT = 7425;
