import { describe, expect, it } from 'vitest';
import { type Tariff, tariffSchema } from './scenario.ts';
import { assertTimeZone, localDayCount, priceSegments, rateAt } from './tariff.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;
const tariff = (input: Partial<Tariff>): Tariff => tariffSchema.parse({ price_per_kwh: 0.3, ...input });
const readable = (segments: ReturnType<typeof priceSegments>) =>
  segments.map((s) => [
    new Date(s.start * 1000).toISOString(),
    new Date(s.end * 1000).toISOString(),
    s.price_per_kwh,
  ]);

describe('rateAt', () => {
  it('reads bands in local time and local weekdays, the first match winning', () => {
    const weekend = tariff({
      timezone: 'Europe/London',
      bands: [
        { days: ['sat', 'sun'], from: '00:00', to: '24:00', price_per_kwh: 0.05 },
        { from: '00:00', to: '07:00', price_per_kwh: 0.1 },
      ],
    });
    // 22:30Z on Sunday 29 March is 23:30 BST, still Sunday; 23:30Z is 00:30 BST on Monday.
    expect(rateAt(weekend, at('2026-03-29T22:30Z')).price_per_kwh).toBe(0.05);
    expect(rateAt(weekend, at('2026-03-29T23:30Z')).price_per_kwh).toBe(0.1);
    expect(rateAt(weekend, at('2026-03-30T06:00Z')).price_per_kwh).toBe(0.3); // 07:00 BST: bands end exclusive
  });

  it("takes a band's carbon intensity, else the tariff's, else none", () => {
    const t = tariff({
      carbon_g_per_kwh: 300,
      bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.1, carbon_g_per_kwh: 100 }],
    });
    expect(rateAt(t, at('2026-01-01T03:00Z'))).toEqual({ price_per_kwh: 0.1, carbon_g_per_kwh: 100 });
    expect(rateAt(t, at('2026-01-01T12:00Z'))).toEqual({ price_per_kwh: 0.3, carbon_g_per_kwh: 300 });
    expect(rateAt(tariff({}), 0).carbon_g_per_kwh).toBeUndefined();
  });
});

describe('priceSegments', () => {
  const early = (timezone: string) =>
    tariff({ timezone, bands: [{ from: '01:30', to: '07:00', price_per_kwh: 0.1 }] });

  it('starts a band whose local start was skipped at the clock change (London, 29 March 2026)', () => {
    // 01:00 GMT jumps to 02:00 BST, so 01:30 never happens: the band begins at the jump, 01:00Z.
    expect(
      readable(priceSegments(early('Europe/London'), at('2026-03-29T00:00Z'), at('2026-03-29T23:00Z'))),
    ).toEqual([
      ['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', 0.3],
      ['2026-03-29T01:00:00.000Z', '2026-03-29T06:00:00.000Z', 0.1],
      ['2026-03-29T06:00:00.000Z', '2026-03-29T23:00:00.000Z', 0.3],
    ]);
  });

  it('applies a band twice when its local start happens twice (London, 25 October 2026)', () => {
    // 01:30 BST (00:30Z) starts the band; at 02:00 BST the clock goes back to 01:00 GMT (01:00Z), before
    // the band again, and 01:30 GMT (01:30Z) starts it a second time.
    expect(
      readable(priceSegments(early('Europe/London'), at('2026-10-24T23:00Z'), at('2026-10-26T00:00Z'))),
    ).toEqual([
      ['2026-10-24T23:00:00.000Z', '2026-10-25T00:30:00.000Z', 0.3],
      ['2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z', 0.1],
      ['2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z', 0.3],
      ['2026-10-25T01:30:00.000Z', '2026-10-25T07:00:00.000Z', 0.1],
      ['2026-10-25T07:00:00.000Z', '2026-10-26T00:00:00.000Z', 0.3],
    ]);
  });

  it('does the same in New York, where the clocks change at 02:00 local', () => {
    const band = (from: string) =>
      tariff({ timezone: 'America/New_York', bands: [{ from, to: '07:00', price_per_kwh: 0.1 }] });
    // 8 March: 02:00 EST (07:00Z) jumps to 03:00 EDT, so 02:30 never happens; the band runs to 07:00 EDT.
    expect(readable(priceSegments(band('02:30'), at('2026-03-08T05:00Z'), at('2026-03-09T04:00Z')))).toEqual([
      ['2026-03-08T05:00:00.000Z', '2026-03-08T07:00:00.000Z', 0.3],
      ['2026-03-08T07:00:00.000Z', '2026-03-08T11:00:00.000Z', 0.1],
      ['2026-03-08T11:00:00.000Z', '2026-03-09T04:00:00.000Z', 0.3],
    ]);
    // 1 November: 01:30 EDT (05:30Z), back to 01:00 EST at 06:00Z, 01:30 EST (06:30Z), to 07:00 EST (12:00Z).
    expect(readable(priceSegments(band('01:30'), at('2026-11-01T04:00Z'), at('2026-11-02T05:00Z')))).toEqual([
      ['2026-11-01T04:00:00.000Z', '2026-11-01T05:30:00.000Z', 0.3],
      ['2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z', 0.1],
      ['2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z', 0.3],
      ['2026-11-01T06:30:00.000Z', '2026-11-01T12:00:00.000Z', 0.1],
      ['2026-11-01T12:00:00.000Z', '2026-11-02T05:00:00.000Z', 0.3],
    ]);
  });

  it('is one segment for a flat tariff, and cuts only where the price changes', () => {
    expect(readable(priceSegments(tariff({}), at('2026-01-01T00:00Z'), at('2026-01-03T00:00Z')))).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', 0.3],
    ]);
  });
});

describe('localDayCount', () => {
  const london = tariff({ timezone: 'Europe/London' });

  it('counts a whole 23-hour or 25-hour local day as one day', () => {
    expect(localDayCount(london, at('2026-03-29T00:00Z'), at('2026-03-29T23:00Z'))).toBe(1);
    expect(localDayCount(london, at('2026-10-24T23:00Z'), at('2026-10-26T00:00Z'))).toBe(1);
  });

  it('counts part of a day by the share of it covered', () => {
    // Sunday 29 March (23 h) and the first 12 h of Monday (from 23:00Z): 1 + 12/24.
    expect(localDayCount(london, at('2026-03-29T00:00Z'), at('2026-03-30T11:00Z'))).toBe(1.5);
    // 11.5 h of the 23-hour Sunday: 00:00Z–11:30Z.
    expect(localDayCount(london, at('2026-03-29T00:00Z'), at('2026-03-29T11:30Z'))).toBe(0.5);
  });
});

describe('assertTimeZone', () => {
  it('names the key and the zone it does not know', () => {
    expect(() => assertTimeZone(tariff({ timezone: 'Europe/Londn' }))).toThrow(
      'tariff.timezone: expected an IANA time zone (e.g. Europe/London), got "Europe/Londn"',
    );
    expect(() => assertTimeZone(tariff({ timezone: 'America/New_York' }))).not.toThrow();
  });
});
