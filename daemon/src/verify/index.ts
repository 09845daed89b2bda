export { createVerifier, type Verifier, type VerifyHooks, type ProgressStage } from './pipeline';
export { resolveOptions, DEFAULT_OPTIONS, defaultHeloName, type VerifierOptions } from './options';
export { lookupMx, createResolver, type MxLookup, type MxResolver } from './dns/mx-lookup';
export { directDialer, type Dialer } from './smtp/dial';
export { HostLimiter } from './host-limiter';
