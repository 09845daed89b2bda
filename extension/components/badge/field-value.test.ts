import { describe, expect, it } from 'vitest';
import { setFieldValue } from './field-value';

describe('putting a suggestion into the page\u2019s field', () => {
  it('reaches a React-style controlled input: the real value changes and input/change events bubble', () => {
    document.body.innerHTML = '<form><input type="email" value="bob@gmial.com"></form>';
    const input = document.querySelector('input')!;
    // React keeps the last value it rendered behind an own `value` property on the element.
    let tracked = input.value;
    Object.defineProperty(input, 'value', {
      configurable: true,
      get: () => tracked,
      set: (v: string) => {
        tracked = v;
      },
    });
    const events: string[] = [];
    document.querySelector('form')!.addEventListener('input', () => events.push('input'));
    document.querySelector('form')!.addEventListener('change', () => events.push('change'));

    setFieldValue(input, 'bob@gmail.com');

    // The tracker still holds the old value (so React sees a change), the element the new one.
    expect(tracked).toBe('bob@gmial.com');
    const realValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.get!.call(input);
    expect(realValue).toBe('bob@gmail.com');
    expect(events).toEqual(['input', 'change']);
  });
});
