import { describe, expect, it } from 'vitest';
import { ReplyParser, type Reply } from './reply-parser';
import { replyMisfit } from './reply-fit';

const reply = (wire: string): Reply => new ReplyParser().push(`${wire.replace(/\r?\n/g, '\r\n')}\r\n`)[0] as Reply;
const none = new Set<string>();

describe('replyMisfit', () => {
  it('lets every real refusal and answer through', () => {
    expect(replyMisfit(reply('220 mx.example ESMTP'), { command: 'greeting' }, none)).toBeNull();
    expect(replyMisfit(reply('554 5.7.1 blocked'), { command: 'greeting' }, none)).toBeNull();
    expect(replyMisfit(reply('250-mx.example\n250-PIPELINING\n250 8BITMIME'), { command: 'EHLO' }, none)).toBeNull();
    expect(replyMisfit(reply('250 2.1.0 Ok'), { command: 'MAIL', address: '' }, none)).toBeNull();
    expect(replyMisfit(reply('550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser'), { command: 'RCPT', address: 'a@x.test' }, none)).toBeNull();
    expect(replyMisfit(reply('550 5.1.1 <a@x.test>: Recipient address rejected: User unknown'), { command: 'RCPT', address: 'a@x.test' }, new Set(['b@x.test']))).toBeNull();
    expect(replyMisfit(reply('450 4.1.8 <me@us.test>: Sender address rejected: Domain not found'), { command: 'RCPT', address: 'a@x.test' }, new Set(['b@x.test']))).toBeNull();
    expect(replyMisfit(reply('421 4.7.0 Error: too many errors'), { command: 'RCPT', address: 'a@x.test' }, none)).toBeNull();
    expect(replyMisfit(reply('220 2.0.0 Ready to start TLS'), { command: 'STARTTLS' }, none)).toBeNull();
  });

  it('refuses shapes that cannot answer the command they would be paired with', () => {
    expect(replyMisfit(reply('220 mx.example ESMTP'), { command: 'MAIL', address: '' }, none)).toMatch(/second greeting/);
    expect(replyMisfit(reply('250-mx.example\n250-PIPELINING\n250 SIZE 1000'), { command: 'RCPT', address: 'a@x.test' }, none)).toMatch(/EHLO keywords/);
    expect(replyMisfit(reply('250 2.1.5 Ok'), { command: 'MAIL', address: '' }, none)).toMatch(/recipient's status/);
    expect(replyMisfit(reply('221 2.0.0 Bye'), { command: 'RCPT', address: 'a@x.test' }, none)).toMatch(/goodbye/);
    expect(replyMisfit(reply('550 5.1.1 <b@x.test>: Recipient address rejected'), { command: 'RCPT', address: 'a@x.test' }, new Set(['b@x.test']))).toMatch(/another recipient/);
    expect(replyMisfit(reply('250 2.1.5 Ok'), { command: 'greeting' }, none)).toMatch(/not a greeting/);
    expect(replyMisfit(reply('550 5.1.1 User unknown'), { command: 'QUIT' }, none)).toMatch(/cannot answer QUIT/);
  });
});
