import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/support/fixtures.ts';
import { PlugError, selectSample } from './reading.ts';
import { parseShellyGen1Status, parseShellyRpcStatus } from './shelly.ts';

/** A raw answer file under smart-plugs/shelly. */
const answer = (file: string) => readFixture('smart-plugs', 'shelly', file);

/** The `status` answer out of an aioshelly device dump ({settings|config, shelly, status}), as the device sent it. */
const dumped = (file: string) => JSON.stringify(JSON.parse(answer(file)).status);

describe('parseShellyGen1Status (GET /status)', () => {
  it('reads a Plug S at 12 W: power in W, total in watt-minutes, relay state', () => {
    expect(parseShellyGen1Status(answer('gen1_plug-s_status.json'))).toEqual({
      channels: [{ channel: '0', watts: 11.95, energyJoules: 20130 * 60, on: true }],
      deviceId: '112233AABCCD <REDACTED>',
    });
    expect(20130 * 60).toBe(1_207_800);
  });

  it('reads a Plug at 0 W', () => {
    expect(parseShellyGen1Status(answer('gen1_plug_status.json'))).toEqual({
      channels: [{ channel: '0', watts: 0, energyJoules: 2_697_600, on: true }],
      deviceId: '112233AABCCD <REDACTED>',
    });
  });

  it('reads a Plug S on firmware 1.14 with its relay off', () => {
    expect(parseShellyGen1Status(dumped('gen1_ShellyPlugS_SHPLG-S_fw1.14.0.json'))).toEqual({
      channels: [{ channel: '0', watts: 0, energyJoules: 157_920, on: false }],
      deviceId: 'AABBCCDDEEFF',
    });
  });

  it('drops the power of a meter the device marks invalid, keeps its counter', () => {
    // The recorded Plug S answer with only is_valid changed to false.
    const status = JSON.parse(answer('gen1_plug-s_status.json'));
    status.meters[0].is_valid = false;
    expect(parseShellyGen1Status(JSON.stringify(status)).channels).toEqual([
      { channel: '0', energyJoules: 1_207_800, on: true },
    ]);
  });

  it('calls anything but a status answer invalid', () => {
    expect(() => parseShellyGen1Status('<html>Unauthorized</html>')).toThrow(PlugError);
    expect(() => parseShellyGen1Status('{"meters":[{"power":"12"}]}')).toThrow(/meters\.0\.power/);
    expect(() => parseShellyGen1Status('not json')).toThrow(
      expect.objectContaining({ reason: 'invalid answer' }),
    );
  });
});

describe('parseShellyRpcStatus (Shelly.GetStatus, Switch.GetStatus)', () => {
  it('reads a Plus Plug S: apower in W, aenergy.total in Wh', () => {
    const reading = parseShellyRpcStatus(dumped('gen2_ShellyPlusPlugS_SNPL-00112EU_fw1.1.0.json'));
    expect(reading).toEqual({
      channels: [{ channel: '0', watts: 2.7, energyJoules: expect.closeTo(26_130_920.4, 6), on: true }],
      deviceId: 'AABBCCDDEEFF',
    });
  });

  it('reads a Plus Plug IT and a Plus 1PM', () => {
    expect(parseShellyRpcStatus(dumped('gen2_ShellyPlusPlugIT_SNPL-00110IT_fw1.1.0.json')).channels).toEqual([
      { channel: '0', watts: 0.8, energyJoules: expect.closeTo(3_320_215.2, 6), on: true },
    ]);
    expect(parseShellyRpcStatus(dumped('gen2_ShellyPlus1PM_SNSW-001P16EU_fw1.1.0.json')).channels).toEqual([
      { channel: '0', watts: 0, energyJoules: expect.closeTo(396_165.6, 6), on: false },
    ]);
  });

  it('reads one component answered alone (Switch.GetStatus?id=0)', () => {
    // Switch.GetStatus answers the object that Shelly.GetStatus lists under "switch:0".
    const status = JSON.parse(dumped('gen2_ShellyPlusPlugS_SNPL-00112EU_fw1.1.0.json'));
    expect(parseShellyRpcStatus(JSON.stringify(status['switch:0']))).toEqual({
      channels: [{ channel: '0', watts: 2.7, energyJoules: expect.closeTo(26_130_920.4, 6), on: true }],
    });
  });

  it('reads a Pro 3EM: a channel per phase and the device total from em:0 and emdata:0', () => {
    const reading = parseShellyRpcStatus(dumped('gen2_ShellyPro3EM_SPEM-003CEBEU_fw1.1.0.json'));
    expect(reading).toEqual({
      channels: [
        { channel: 'a', watts: 375.5, energyJoules: expect.closeTo(7_324_620_156, 3) },
        { channel: 'b', watts: 170.8, energyJoules: expect.closeTo(668_472_804, 3) },
        { channel: 'c', watts: 12.7, energyJoules: expect.closeTo(1_330_091_280, 3) },
      ],
      device: { watts: 558.965, energyJoules: expect.closeTo(9_323_184_204, 3) },
      deviceId: 'AABBCCDDEEFF',
    });
    // The whole device is the meter's own total, not the sum of the phases (559.0 W here).
    expect(selectSample(reading, undefined, 'pro3em')).toEqual({
      watts: 558.965,
      energyJoules: expect.closeTo(9_323_184_204, 3),
    });
    expect(selectSample(reading, 'b', 'pro3em').watts).toBe(170.8);
  });

  it('reads a Gen3 2PM in cover mode (cover:0)', () => {
    const reading = parseShellyRpcStatus(answer('gen3_Shelly2PM_Shelly.GetStatus.json'));
    expect(reading.channels).toEqual([
      { channel: '0', watts: 0, energyJoules: expect.closeTo(1_132_610.4, 6) },
    ]);
    expect(reading.deviceId).toBe('AABBCCDDEEFF');
  });

  it('reads several switches; the whole device is their sum', () => {
    // No recorded answer has two switches: this is the recorded Plus Plug S answer with its switch:0
    // copied to switch:1 and only the copy's numbers (id, apower, aenergy.total) changed.
    const status = JSON.parse(dumped('gen2_ShellyPlusPlugS_SNPL-00112EU_fw1.1.0.json'));
    status['switch:1'] = {
      ...status['switch:0'],
      id: 1,
      apower: 40.3,
      aenergy: { ...status['switch:0'].aenergy, total: 100 },
    };
    const reading = parseShellyRpcStatus(JSON.stringify(status));
    expect(reading.channels.map((c) => [c.channel, c.watts])).toEqual([
      ['0', 2.7],
      ['1', 40.3],
    ]);
    expect(selectSample(reading, undefined, 'plug').watts).toBeCloseTo(43, 9);
    expect(selectSample(reading, '1', 'plug')).toEqual({ watts: 40.3, energyJoules: 360_000 });
    expect(() => selectSample(reading, '2', 'plug')).toThrow(/no channel 2 \(the device has: 0, 1\)/);
  });

  it('gives a Shelly 1 Mini Gen4 (no metering) a channel without figures: no meter', () => {
    const reading = parseShellyRpcStatus(answer('gen4_ShellyMini1_Shelly.GetStatus.json'));
    expect(reading.channels).toEqual([{ channel: '0', on: false }]);
    expect(() => selectSample(reading, undefined, 'mini')).toThrow(
      expect.objectContaining({ reason: 'no meter' }),
    );
  });

  it('calls a component of the wrong shape invalid, naming it', () => {
    expect(() => parseShellyRpcStatus('{"switch:0":{"apower":"2.7"}}')).toThrow(
      /unexpected answer: switch:0\.apower/,
    );
    expect(() => parseShellyRpcStatus('[]')).toThrow(expect.objectContaining({ reason: 'invalid answer' }));
  });
});
