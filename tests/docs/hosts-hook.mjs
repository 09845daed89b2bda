// Loaded with `node --import` by the doc test's `mailping` wrapper: names in
// MAILPING_DOC_TEST_HOSTS ({"verify.mailping.test": "127.0.43.1"}) resolve to their address, the
// way an /etc/hosts line would (the test may not edit /etc/hosts on a shared machine). Every other
// name goes to the system resolver. net and tls look up through dns.lookup, so this is enough.
import dns from 'node:dns';

const names = JSON.parse(process.env.MAILPING_DOC_TEST_HOSTS || '{}');
const systemLookup = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const address = names[String(hostname).toLowerCase()];
  if (address === undefined) return systemLookup.call(dns, hostname, options, callback);
  const family = address.includes(':') ? 6 : 4;
  if (typeof options === 'object' && options !== null && options.all) process.nextTick(callback, null, [{ address, family }]);
  else process.nextTick(callback, null, address, family);
};
