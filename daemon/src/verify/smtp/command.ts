/**
 * Every byte we write to a mail server goes through here. Addresses were parsed by the shared
 * syntax rules already; this is the last line of defence: no CR, LF or NUL reaches the socket,
 * so no argument can smuggle in a second command (Postfix would run it, see the lab notes).
 */
export class CommandInjectionError extends Error {
  override readonly name = 'CommandInjectionError';
}

const FORBIDDEN = /[\r\n\0]/;

export function command(verb: string, argument?: string): string {
  const line = argument === undefined ? verb : `${verb}${argument}`;
  if (FORBIDDEN.test(line)) {
    throw new CommandInjectionError(`refusing to send an SMTP command containing CR, LF or NUL: ${JSON.stringify(line)}`);
  }
  return line;
}

export const ehlo = (name: string): string => command('EHLO ', name);
export const helo = (name: string): string => command('HELO ', name);
export const mailFrom = (sender: string, params: readonly string[] = []): string =>
  command('MAIL FROM:', `<${sender}>${params.map((p) => ` ${p}`).join('')}`);
export const rcptTo = (recipient: string): string => command('RCPT TO:', `<${recipient}>`);
export const STARTTLS = 'STARTTLS';
export const RSET = 'RSET';
export const QUIT = 'QUIT';
