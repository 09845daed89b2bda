import { beforeEach, describe, expect, it } from 'vitest';
import { classifyField, looksLikeAddress, nameWords, wantsBadge } from './field-detection';

/**
 * Markup as real sign-up, login, checkout and newsletter forms write it (each case names the
 * kind of site or framework it is modelled on), and fields that mention email without holding
 * an address.
 */

function firstInput(html: string): HTMLInputElement {
  document.body.innerHTML = html;
  const input = document.querySelector<HTMLInputElement>('input[data-under-test], input');
  if (!input) throw new Error('fixture has no input');
  return input;
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('fields that hold an address', () => {
  it.each([
    ['plain type=email', '<input type="email" name="x">'],
    ['TYPE=EMAIL in capitals', '<input TYPE="EMAIL">'],
    ['type=email without a name (a React form)', '<div><input type="email" class="css-1x2y3z" value=""></div>'],
    ['autocomplete=email on a text input (Stripe checkout)', '<input type="text" autocomplete="email" name="billingEmail">'],
    ['autocomplete with a section token', '<input type="text" autocomplete="section-blue shipping email">'],
    ['inputmode=email', '<input type="text" inputmode="email" name="contact">'],
    ['Rails nested name', '<input type="text" name="user[email]" id="user_email">'],
    ['camelCase id (Angular)', '<input type="text" id="customerEmailAddress" formcontrolname="customerEmailAddress">'],
    ['ASP.NET WebForms id', '<input name="ctl00$ContentPlaceHolder1$txtEmail" type="text" id="ctl00_ContentPlaceHolder1_txtEmail">'],
    ['e_mail with an underscore (German shop)', '<input type="text" name="e_mail">'],
    ['"mail" alone (Drupal user form)', '<input type="text" id="edit-mail" name="mail">'],
    ['confirmation field of a sign-up form', '<input type="text" name="email_confirmation">'],
    ['"verify email" field', '<input type="text" name="verify_email">'],
    ['no type attribute, label by for=', '<label for="f1">Email address</label><input id="f1" name="field_12">'],
    ['wrapping label', '<label>Your e-mail <input name="q1"></label>'],
    ['aria-label only (Material UI)', '<input aria-label="Email" class="MuiInputBase-input" name="">'],
    ['aria-labelledby', '<span id="lbl">Work email</span><input aria-labelledby="lbl">'],
    ['placeholder with an example address', '<input type="text" placeholder="you@example.com">'],
    ['French label', '<label for="c">Adresse courriel</label><input id="c" type="text">'],
    ['Spanish placeholder', '<input type="text" placeholder="Correo electrónico">'],
    ['Japanese label', '<label for="j">メールアドレス</label><input id="j" type="text">'],
    ['newsletter box (Mailchimp embed)', '<input type="email" value="" name="EMAIL" class="required email" id="mce-EMAIL">'],
    ['HubSpot form', '<input id="email-3b1c" name="email" required type="email" class="hs-input" inputmode="email" autocomplete="email">'],
  ])('%s', (_, html) => {
    expect(classifyField(firstInput(html))).toBe('email');
  });
});

describe('login fields that take "email or username"', () => {
  it('is a username field, and wants a badge only while the value looks like an address', () => {
    const input = firstInput('<input type="text" name="login" autocomplete="username">');
    expect(classifyField(input)).toBe('username');
    expect(wantsBadge('username', 'octocat')).toBe(false);
    expect(wantsBadge('username', 'octo@cat.example')).toBe(true);
    expect(wantsBadge('email', '')).toBe(true);
  });
});

describe('fields that look like email but are not', () => {
  it.each([
    ['password', '<input type="password" name="email_password">'],
    ['hidden field', '<input type="hidden" name="email" value="a@b.c">'],
    ['checkbox opt-in', '<input type="checkbox" name="email_opt_in">'],
    ['radio for a preference', '<input type="radio" name="contact_by" value="email">'],
    ['search over a mailbox', '<input type="search" name="q" placeholder="Search mail">'],
    ['text search box labelled with email', '<input type="text" name="q" placeholder="Search emails">'],
    ['subject line of an email composer', '<input type="text" name="email_subject">'],
    ['verification code sent by email', '<input type="text" name="emailCode" placeholder="Code from the email">'],
    ['one-time code by autocomplete', '<input type="text" id="email-otp" autocomplete="one-time-code">'],
    ['a domain field next to an @', '<input type="text" name="email_domain" placeholder="@company.com">'],
    ['first name with an email-ish label', '<label for="n">Name (as shown in emails)</label><input id="n" name="first_name">'],
    ['phone field', '<input type="tel" name="email_or_phone">'],
    ['number of emails per week', '<input type="number" name="email_frequency">'],
    ['disabled email field', '<input type="email" disabled>'],
    ['read-only email shown on a profile', '<input type="email" readonly value="me@example.com">'],
    ['email field in a disabled fieldset', '<fieldset disabled><input type="email" name="email"></fieldset>'],
    ['email field a widget marks read-only', '<input type="email" name="email" aria-readonly="true">'],
    ['email field a widget marks disabled', '<input type="text" name="email" aria-disabled="true">'],
    ['a plain text field without hints', '<input type="text" name="city">'],
    ['message body', '<label for="m">Message to send by email</label><input id="m" name="body">'],
    ['file upload', '<input type="file" name="email_attachment">'],
    ['url', '<input type="url" name="email_link">'],
  ])('%s', (_, html) => {
    expect(classifyField(firstInput(html))).toBeNull();
  });
});

describe('helpers', () => {
  it('splits names the way forms write them', () => {
    expect(nameWords('userEmailAddress')).toEqual(['user', 'email', 'address']);
    expect(nameWords('ctl00$ContentPlaceHolder1$txtEmail')).toEqual(['ctl00', 'content', 'place', 'holder1', 'txt', 'email']);
    expect(nameWords('user[e_mail]')).toEqual(['user', 'email']);
    expect(nameWords('HTMLEmail')).toEqual(['html', 'email']);
  });

  it.each([
    ['alice@example.com', true],
    [' alice@example.com ', true],
    ['alice@example', false],
    ['alice@', false],
    ['@example.com', false],
    ['alice smith@example.com', false],
    ['alice', false],
  ])('%j looks like an address: %s', (value, expected) => {
    expect(looksLikeAddress(value)).toBe(expected);
  });
});
