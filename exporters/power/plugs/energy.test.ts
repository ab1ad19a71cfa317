import { describe, expect, it } from 'vitest';
import { PlugEnergy } from './energy.ts';

describe('PlugEnergy', () => {
  it('keeps a device counter monotonic across a reboot and a monthly reset', () => {
    const e = new PlugEnergy(30_000);
    e.update({ watts: 12, energyJoules: 1_207_800 }, 0);
    expect(e.total).toEqual({ joules: 1_207_800, method: 'meter' });
    e.update({ watts: 12, energyJoules: 1_211_400 }, 10_000);
    expect(e.total?.joules).toBe(1_211_400);
    e.update({ watts: 12, energyJoules: 720 }, 20_000); // rebooted: 720 J since
    expect(e.total?.joules).toBe(1_212_120);
    e.update({ watts: 12, energyJoules: 1440 }, 30_000);
    expect(e.total?.joules).toBe(1_212_840);
    e.update({ watts: 12, energyJoules: 0 }, 40_000); // a new month at exactly 0
    expect(e.total?.joules).toBe(1_212_840);
  });

  it('integrates power by the trapezoid where the device has no counter', () => {
    const e = new PlugEnergy(30_000);
    expect(e.total).toBeUndefined();
    e.update({ watts: 10 }, 0);
    expect(e.total).toEqual({ joules: 0, method: 'integrated' });
    e.update({ watts: 20 }, 10_000);
    expect(e.total?.joules).toBe(150);
    e.update({ watts: 20 }, 20_000);
    expect(e.total?.joules).toBe(350);
  });

  it('does not guess across a long gap, and never counts fed-back power', () => {
    const e = new PlugEnergy(30_000);
    e.update({ watts: 10 }, 0);
    e.update({ watts: 10 }, 10_000);
    e.update({ watts: 100 }, 70_000); // a minute without answers: not integrated
    expect(e.total?.joules).toBe(100);
    e.update({ watts: -50 }, 80_000);
    expect(e.total?.joules).toBe(600);
  });

  it('stays with the meter once it has seen one', () => {
    const e = new PlugEnergy(30_000);
    e.update({ watts: 10, energyJoules: 500 }, 0);
    e.update({ watts: 10 }, 10_000);
    expect(e.total).toEqual({ joules: 500, method: 'meter' });
  });
});
