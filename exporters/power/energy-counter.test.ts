import { describe, expect, it } from 'vitest';
import { EnergyCounter, PowerIntegrator } from './energy-counter.ts';

describe('EnergyCounter', () => {
  it('counts from the first reading and gives power from the second', () => {
    const c = new EnergyCounter();
    c.update(1000, 0);
    expect(c.joules).toBe(1000);
    expect(c.power).toBeUndefined();
    c.update(1150, 10_000);
    expect(c.joules).toBe(1150);
    expect(c.power).toBe(15);
  });

  it('adds across a wrap of the raw counter', () => {
    // The captured package-0 zone: max_energy_range_uj 262143328850, so it wraps at 262143.32885 J.
    const c = new EnergyCounter(262143.32885);
    c.update(262140, 0);
    c.update(6.67115, 1000); // 3.32885 J to the wrap, 6.67115 J after it
    expect(c.joules).toBeCloseTo(262150, 6);
    expect(c.power).toBeCloseTo(10, 6);
  });

  it('takes a drop without a wrap range as a restart of the device, and stays monotonic', () => {
    const c = new EnergyCounter();
    c.update(500, 0);
    c.update(520, 1000);
    c.update(3, 2000); // the plug rebooted: 3 J since
    expect(c.joules).toBe(523);
    expect(c.power).toBe(3);
  });
});

describe('PowerIntegrator', () => {
  it('adds the trapezoid between readings, ignores a repeated reading and does not bridge a gap', () => {
    const e = new PowerIntegrator();
    e.add(10, 0);
    e.add(20, 2000); // 15 W for 2 s
    e.add(20, 2000); // the same cached reading again
    expect(e.joules).toBe(30);
    e.restart();
    e.add(100, 60_000);
    expect(e.joules).toBe(30);
    e.add(100, 61_000);
    expect(e.joules).toBe(130);
  });
});
