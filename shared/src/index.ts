export * from './verdict';
export * from './result';
export * from './address/parse-address';
export * from './address/typo-suggestion';
export { POPULAR_MAIL_DOMAINS } from './address/popular-domains';
export * from './protocol';
export * from './extension-identity';
export * from './daemon-endpoint';
export * from './memo-by-key';
