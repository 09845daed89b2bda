import { describe, expect, it } from 'vitest';
import { addressAround, addressesIn, addressInAttributes, addressOf, onlyAddressIn } from './address-in-element';

describe('reading addresses out of markup', () => {
  it('finds every distinct address in a text, without the punctuation around it', () => {
    expect(addressesIn('Alice <alice@valid.test>, "Bob" bob@valid.test; ALICE@valid.test.')).toEqual(['alice@valid.test', 'bob@valid.test']);
    expect(addressesIn('no address here, not even @ or x@y')).toEqual([]);
    expect(onlyAddressIn('Write to jörg@valid.test.')).toBe('jörg@valid.test');
    expect(onlyAddressIn('a@valid.test or b@valid.test')).toBeNull();
  });

  it('reads the attributes webmails keep the address in, best first', () => {
    const el = document.createElement('span');
    el.setAttribute('title', 'Alice Example');
    el.setAttribute('data-hovercard-id', 'alice@valid.test');
    expect(addressInAttributes(el)).toBe('alice@valid.test');
    const link = document.createElement('a');
    link.href = 'mailto:bob%40valid.test?subject=Hi';
    expect(addressInAttributes(link)).toBe('bob@valid.test');
    const named = document.createElement('span');
    named.setAttribute('aria-label', 'More details about Carol <carol@valid.test>');
    expect(addressInAttributes(named)).toBe('carol@valid.test');
  });

  it('finds the address a chip stands for: its attributes, its children’s, then its text', () => {
    const chip = document.createElement('div');
    chip.innerHTML = '<span class="name">Alice</span><input type="hidden"><span title="alice@valid.test"></span>';
    expect(addressOf(chip)).toBe('alice@valid.test');
    chip.innerHTML = '<span>Bob &lt;bob@valid.test&gt;</span>';
    expect(addressOf(chip)).toBe('bob@valid.test');
    chip.innerHTML = '<span>Team (a@valid.test, b@valid.test)</span>';
    expect(addressOf(chip)).toBeNull();
  });

  it('finds the address around a pointer target, a few levels up', () => {
    document.body.innerHTML = '<div><span email="dave@valid.test"><b><i id="t">Dave</i></b></span></div>';
    expect(addressAround(document.getElementById('t')!)?.address).toBe('dave@valid.test');
    expect(addressAround(document.getElementById('t')!, 1)).toBeNull();
  });
});
