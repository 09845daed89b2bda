import { describe, expect, it, vi } from 'vitest';
import { sampleResult } from '@/test-support/scripted-daemon';
import { buildDetails } from './result-details';

describe('details block', () => {
  it('says the verdict, the reason, and the deciding server reply in plain words', () => {
    const result = sampleResult('nobody@valid.test', {
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
      detail: 'The server said this mailbox does not exist.',
      reply: { code: 550, enhanced: '5.1.1', text: '5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown', command: 'RCPT TO' },
    });
    const node = buildDetails(document, {
      address: 'nobody@valid.test',
      state: 'undeliverable',
      check: { kind: 'done', result, cached: false },
      suggestion: null,
      syntaxError: null,
      status: null,
    });
    const text = node.textContent ?? '';
    expect(node.dataset.verdict).toBe('undeliverable');
    expect(text).toContain('Undeliverable');
    expect(text).toContain('Reason: mailbox does not exist');
    expect(text).toContain('550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown (mx1.valid.test)');
  });

  it('shows server text as text, never as markup', () => {
    const result = sampleResult('x@valid.test', { reply: { code: 250, enhanced: null, text: '<img src=x onerror=alert(1)>', command: 'RCPT TO' } });
    const node = buildDetails(document, { address: 'x@valid.test', state: 'deliverable', check: { kind: 'done', result, cached: true }, suggestion: null, syntaxError: null, status: null });
    expect(node.querySelector('img')).toBeNull();
    expect(node.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('offers the typo suggestion as one click, and check-again for a verdict', () => {
    const apply = vi.fn();
    const recheck = vi.fn();
    const result = sampleResult('bob@gmial.com', { verdict: 'undeliverable', reason: 'no_such_domain', suggestion: 'bob@gmail.com' });
    const node = buildDetails(
      document,
      { address: 'bob@gmial.com', state: 'undeliverable', check: { kind: 'done', result, cached: false }, suggestion: 'bob@gmail.com', syntaxError: null, status: null },
      { applySuggestion: apply, recheck },
    );
    const buttons = [...node.querySelectorAll('button')];
    expect(buttons.map((b) => b.textContent)).toEqual(['Did you mean bob@gmail.com?', 'Check again']);
    buttons[0]!.click();
    buttons[1]!.click();
    expect(apply).toHaveBeenCalledWith('bob@gmail.com');
    expect(recheck).toHaveBeenCalledOnce();
  });

  it('tells what to do when the daemon is away or the browser is not paired', () => {
    const openOptions = vi.fn();
    const waiting = (kind: 'not_running' | 'not_paired') =>
      buildDetails(
        document,
        {
          address: 'a@valid.test',
          state: 'offline',
          check: { kind: 'waiting', status: kind === 'not_running' ? { kind, nextAttemptAt: null } : { kind } },
          suggestion: null,
          syntaxError: null,
          status: null,
        },
        { openOptions },
      );
    const offline = waiting('not_running');
    expect(offline.textContent).toContain('mailping serve');
    expect(offline.querySelector('button')).toBeNull();
    const unpaired = waiting('not_paired');
    expect(unpaired.textContent).toContain('mailping pair');
    unpaired.querySelector('button')!.click();
    expect(openOptions).toHaveBeenCalledOnce();
  });
});
