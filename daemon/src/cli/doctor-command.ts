import { promises as dns } from 'node:dns';
import { Command, InvalidArgumentError } from 'commander';
import { isHeloName } from '../config/check-settings';
import { loadSettings, SettingsError } from '../config/load-settings';
import { mailpingPaths } from '../config/paths';
import { formatReport } from '../doctor/format-report';
import { parseMxOption } from '../doctor/parse-mx-option';
import { runDoctor } from '../doctor/run-doctor';
import { defaultHeloName } from '../verify/options';
import { directDialer } from '../verify/smtp/dial';
import { socksDialer } from '../verify/smtp/socks-dialer';
import { EXIT_CONFIG } from './exit-codes';
import { heloName, parseDnsServer, seconds } from './option-parsers';
import { socksUrl } from './socks-option';

interface DoctorFlags {
  mx?: { host: string; port: number };
  domain: string;
  dnsServer?: string[];
  helo?: string;
  socks?: string;
  timeout: number;
  json?: boolean;
}

/** A domain whose MX exists anywhere with internet: only its name is looked up, nothing is sent to it but EHLO. */
const KNOWN_DOMAIN = 'gmail.com';

export function doctorCommand(setExitCode: (code: number) => void): Command {
  return new Command('doctor')
    .description('check whether verification can work from this machine: DNS, outbound port 25, HELO name, reverse DNS, SOCKS proxy')
    .option('--mx <host[:port]>', 'mail server to try port 25 with (default: the MX of --domain)', (v) => {
      const parsed = parseMxOption(v);
      if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
      return { host: parsed.host, port: parsed.port };
    })
    .option('--domain <domain>', 'domain whose MX the DNS and port-25 checks use', (v) => {
      if (!isHeloName(v.trim()) || !v.includes('.')) throw new InvalidArgumentError(`"${v}" is not a domain name`);
      return v.trim().toLowerCase();
    }, KNOWN_DOMAIN)
    .option('--dns-server <ip[:port]>', 'DNS server to ask (repeatable; default: the configured ones, else the system\'s)', parseDnsServer)
    .option('--helo <name>', 'HELO name to check (default: the configured one, else this machine\'s host name)', heloName)
    .option('--socks <url>', 'SOCKS5 proxy to check and connect through (default: the configured one)', socksUrl)
    .option('--timeout <seconds>', 'how long each connection and reply may take', seconds, 5)
    .option('--json', 'print the report as one JSON object')
    .action(async (flags: DoctorFlags, command: Command) => {
      let settings;
      try {
        settings = loadSettings(mailpingPaths());
      } catch (error) {
        if (error instanceof SettingsError) command.error(`error: ${error.message}`, { exitCode: EXIT_CONFIG });
        throw error;
      }
      const dnsServers = flags.dnsServer ?? settings.dnsServers;
      const socksProxy = flags.socks ?? settings.socksProxy;
      const configuredHelo = flags.helo ?? settings.helo;
      const timeoutMs = flags.timeout * 1000;
      // One try and a short timeout: a resolver that does not answer in 2 s is the finding.
      const resolver = new dns.Resolver({ timeout: Math.min(2000, timeoutMs), tries: 1 });
      if (dnsServers.length > 0) resolver.setServers(dnsServers);

      const report = await runDoctor(
        {
          dnsServers,
          ...(flags.mx && { mx: flags.mx }),
          domain: flags.domain,
          helo: configuredHelo ?? defaultHeloName(),
          heloConfigured: configuredHelo !== null,
          socksProxy,
          connectTimeoutMs: timeoutMs,
          replyTimeoutMs: timeoutMs,
          deadlineMs: timeoutMs * 3 + 5000,
        },
        { resolver, dial: socksProxy ? socksDialer(socksProxy) : directDialer, connect: directDialer },
      );
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
      setExitCode(report.ok ? 0 : 1);
    });
}
