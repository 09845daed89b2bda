import { describe, expect, it } from 'vitest';
import { kindFromLabel, kindFromName } from './recipient-labels';

describe('recipient field labels', () => {
  it('names To, Cc and Bcc in the webmails’ words and languages', () => {
    expect(['To', 'To recipients', 'to:', 'An', 'À', 'Para', 'Aan', 'Кому', '宛先'].map(kindFromLabel)).toEqual(Array(9).fill('to'));
    expect(['Cc', 'CC recipients', 'Kopie', 'Cc:'].map(kindFromLabel)).toEqual(Array(4).fill('cc'));
    expect(['Bcc', 'BCC recipients', 'Blindkopie', 'Cci', 'CCO'].map(kindFromLabel)).toEqual(Array(5).fill('bcc'));
  });

  it('compares whole labels: "To do", "Date to" or an address field are none of them', () => {
    expect(['To do', 'Date to', 'Email address', 'Subject', '', null, 'Add a recipient'].map(kindFromLabel)).toEqual(Array(7).fill(null));
  });

  it('reads ids and names, whatever their prefix', () => {
    expect(['_to', 'v31-to-input', 'message-to-field', 'MSG_15127c3b5a0_TO', 'composer:to-cc', 'v31-bcc-input'].map(kindFromName)).toEqual(['to', 'to', 'to', 'to', 'cc', 'bcc']);
    expect(['subject', 'email', 'tocode', null].map(kindFromName)).toEqual([null, null, null, null]);
  });
});
