/**
 * The Chrome build's identity. An unpacked extension's id depends on its folder unless the
 * manifest carries a public key; with this key every build, packed or unpacked, is
 * chrome-extension://egonnibiidoihfhcmkbbbaahcncaldod, so the daemon can allow exactly that origin.
 * A public key, not a secret (the private half is not needed to load or run the extension).
 */
export const CHROME_EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqhHAT8H1Il5MK4uYwVVYN6dk71ncuPVkI4S80ptmLLshgZJSv7KOWd0p5M9UhbVJGUt4YsQeImLG/BxVMdy4/hMiehmQafENSBD77JF6LQ/6gIqUocllacBascS1Bea8Og6/AMDhxKQ/MpryhPdeNdLkKfkD1G3DH3+NFPuhtzgighzznKvhXOd2dxfGn54d7gj0oLxaGBH1udvdSlJlBVZbraWLrE/rpEw3LQbRWamj7WDFFDyv/s8h/sG2pga6cIFPCWna9KK3U+Z/PtivU86hN1oM5bG4rm/Fr2BtWwpHeOQM3paLR/rOEpUQqa9FMZUpanejRgDQvEB7VoWqUwIDAQAB';

/** Derived from the key: the first 128 bits of SHA-256 of the key, as letters a-p. */
export const CHROME_EXTENSION_ID = 'egonnibiidoihfhcmkbbbaahcncaldod';
