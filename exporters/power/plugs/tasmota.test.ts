import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/support/fixtures.ts';
import { selectSample } from './reading.ts';
import { parseTasmotaStatus } from './tasmota.ts';

const answer = (file: string) => readFixture('smart-plugs', 'tasmota', file);

describe('parseTasmotaStatus', () => {
  it('reads a Sonoff POW R2 Status 8 at 2.6 kW: Power in W, Total in kWh, TotalStartTime', () => {
    expect(parseTasmotaStatus(answer('sonoff-pow-r2_status8.json'))).toEqual({
      channels: [{ channel: '1', watts: 2629, energyJoules: expect.closeTo(23_054_400, 6) }],
      energySince: '2018-11-14T18:39:40',
    });
  });

  it('reads the same device’s tele/SENSOR message', () => {
    expect(parseTasmotaStatus(answer('sonoff-pow-r2_tele-SENSOR.json'))).toEqual({
      channels: [{ channel: '1', watts: 2635, energyJoules: expect.closeTo(22_658_400, 6) }],
      energySince: '2018-11-14T18:39:40',
    });
  });

  it('says a Sonoff Basic (no energy monitor, Status 0) has no meter', () => {
    expect(() => parseTasmotaStatus(answer('status0_sonoff-basic_fw5.12.0a.json'))).toThrow(
      expect.objectContaining({ reason: 'no meter' }),
    );
  });

  it('reads a multi-relay device: Power per relay, one Total for the device', () => {
    // No recorded answer comes from a multi-relay device: this is the recorded Status 8 with Power
    // turned into Tasmota's per-relay list (2629 W on relay 1, 14 W on relay 2).
    const status = JSON.parse(answer('sonoff-pow-r2_status8.json'));
    status.StatusSNS.ENERGY.Power = [2629, 14];
    const reading = parseTasmotaStatus(JSON.stringify(status));
    expect(reading.channels).toEqual([
      { channel: '1', watts: 2629 },
      { channel: '2', watts: 14 },
    ]);
    expect(reading.device).toEqual({ energyJoules: expect.closeTo(23_054_400, 6) });
    expect(selectSample(reading, undefined, 'dual')).toEqual({
      watts: 2643,
      energyJoules: expect.closeTo(23_054_400, 6),
    });
    // One relay has power but no counter of its own: its energy is integrated (see PlugEnergy).
    expect(selectSample(reading, '2', 'dual')).toEqual({ watts: 14, energyJoules: undefined });
  });

  it('calls an HTML page invalid', () => {
    expect(() => parseTasmotaStatus('<!DOCTYPE html><html>')).toThrow(
      expect.objectContaining({ reason: 'invalid answer' }),
    );
  });
});
