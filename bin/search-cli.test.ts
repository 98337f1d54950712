import { describe, expect, it } from 'vitest';
import { xcm } from './cli-harness.ts';

describe('xcm explore and xcm diff on bounds out of range', () => {
  const refusals: Array<[string[], string, string, string]> = [
    [['--apps', '1000000'], '--apps', '8', '1000000'],
    [['--tenants', '0'], '--tenants', '64', '0'],
    [['--users', '-1'], '--users', '4', '-1'],
    [['--apps', '1e309'], '--apps', '8', '1e309'],
    [['--apps', '2.5'], '--apps', '8', '2.5'],
    [['--apps', '0x3'], '--apps', '8', '0x3'],
    [['--tenants='], '--tenants', '64', ''],
    [['--max-states', '0'], '--max-states', '16,000,000', '0'],
    [['--max-states', '16000001'], '--max-states', '16,000,000', '16000001'],
    [['--max-states', '99999999999999999999999'], '--max-states', '16,000,000', '99999999999999999999999'],
  ];

  for (const [args, option, max, got] of refusals) {
    it(`should refuse ${args.join(' ')} with one line naming ${option} and its largest value, exit 2`, () => {
      const expected = `xcm: field "${option}": expected a whole number from 1 to ${max}, got "${got}"\n`;
      expect(xcm('explore', ...args)).toEqual({ status: 2, stdout: '', stderr: expected });
    });
  }

  it('should refuse the same bounds in xcm diff', () => {
    expect(xcm('diff', 'xero-oauth2-2019', 'xero-tiers-2026', '--users', '-1')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'xcm: field "--users": expected a whole number from 1 to 4, got "-1"\n',
    });
  });

  it('should name the largest number of apps a diff holds with four users', () => {
    expect(xcm('diff', 'xero-oauth2-2019', 'xero-tiers-2026', '--apps', '7', '--users', '4')).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'xcm: field "--apps": expected a whole number from 1 to 6 with 4 users in a diff, got 7 (a state key holds at most 50 app x user x policy cells)\n',
    });
  });
});
