import { describe, expect, it } from 'vitest';
import { BUG_WINDOW, policyIdAt, TIERS_START, timelineChooser } from './timeline.ts';
import { defaultApp } from '../world/world.ts';

const ms = (iso: string) => Date.parse(iso);
const oldApp = defaultApp('old');
const newApp = { ...defaultApp('new'), registered: '2025-12-10' };

describe('the timeline xero', () => {
  it('puts the OAuth 2.0 limits in force before the bug window', () => {
    expect(policyIdAt(ms('2020-01-15T10:00:00+13:00'), oldApp)).toBe('xero-oauth2-2019');
  });

  it('puts the bug window in force from its start, inclusive, to its end, exclusive', () => {
    expect(policyIdAt(ms(BUG_WINDOW.start) - 1, oldApp)).toBe('xero-oauth2-2019');
    expect(policyIdAt(ms(BUG_WINDOW.start), oldApp)).toBe('xero-bug-2020-02');
    expect(policyIdAt(ms('2020-02-09T21:00:00+13:00'), oldApp)).toBe('xero-bug-2020-02');
    expect(policyIdAt(ms(BUG_WINDOW.end), oldApp)).toBe('xero-oauth2-2019');
  });

  it('moves existing apps to the tiers on 2026-03-02 and new apps at registration', () => {
    expect(policyIdAt(ms('2026-01-10T10:00:00+13:00'), oldApp)).toBe('xero-oauth2-2019');
    expect(policyIdAt(ms('2026-01-10T10:00:00+13:00'), newApp)).toBe('xero-tiers-2026');
    expect(policyIdAt(ms(TIERS_START), oldApp)).toBe('xero-tiers-2026');
  });

  it('takes the newest era when no time is known', () => {
    expect(policyIdAt(null, oldApp)).toBe('xero-tiers-2026');
  });

  it('applies overrides to every era and hands out one object per era', () => {
    const choose = timelineChooser((p) => ({ ...p, appCap: 3 }));
    const a = choose(ms('2020-01-15T10:00:00+13:00'), oldApp);
    expect(a.appCap).toBe(3);
    expect(choose(ms('2020-01-16T10:00:00+13:00'), oldApp)).toBe(a);
  });
});
