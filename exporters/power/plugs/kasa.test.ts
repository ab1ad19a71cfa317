import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/support/fixtures.ts';
import { kasaDecrypt, kasaEncrypt, kasaFrame, parseKasaReply, parseTapoEnergy } from './kasa.ts';

/** A python-kasa device dump: module → method → result, the shape of the device's answer to a multi-module request. */
const answer = (file: string) => readFixture('smart-plugs', 'tplink-kasa', file);

const MASKED_ID = '0'.repeat(40);

describe('Kasa framing', () => {
  it('encrypts as the devices do', () => {
    // softScheck's published packet for {"system":{"set_relay_state":{"state":1}}} (tplink-smartplug).
    expect(kasaFrame('{"system":{"set_relay_state":{"state":1}}}').toString('base64')).toBe(
      'AAAAKtDygfiL/5r31e+UtsWg1Iv5nPCR6LfEsNGlwOLYo4HyhueT9tTu36Lfog==',
    );
  });

  it('decrypts what it encrypts', () => {
    const text = answer('KP115-EU_hw1.0_fw1.0.16.json');
    expect(kasaDecrypt(kasaEncrypt(Buffer.from(text))).toString()).toBe(text);
  });
});

describe('parseKasaReply (emeter.get_realtime)', () => {
  it('reads hardware v1 fields: power in W, total in kWh', () => {
    expect(parseKasaReply(answer('HS110-EU_hw1.0_fw1.2.5.json'))).toEqual({
      channels: [{ channel: '0', watts: 0.928511, energyJoules: expect.closeTo(198_500_400, 6) }],
      deviceId: MASKED_ID,
      model: 'HS110(EU)',
    });
    expect(parseKasaReply(answer('HS110-US_hw1.0_fw1.2.6.json'))).toEqual({
      channels: [{ channel: '0', watts: 7.677094, energyJoules: expect.closeTo(109_454_400, 6) }],
      deviceId: MASKED_ID,
      model: 'HS110(US)',
    });
  });

  it('reads v2+ fields: power_mw in mW, total_wh in Wh', () => {
    const cases: Array<[string, string, number, number]> = [
      ['HS110-EU_hw4.0_fw1.0.4.json', 'HS110(EU)', 61.753, 58_762_800],
      ['KP115-EU_hw1.0_fw1.0.16.json', 'KP115(EU)', 63.499, 43_444_800],
      ['KP125-US_hw1.0_fw1.0.6.json', 'KP125(US)', 100.277, 43_812_000],
      ['EP25-US_hw1.0_fw1.0.14.json', 'EP25(US)', 0, 180_000],
    ];
    for (const [file, model, watts, energyJoules] of cases) {
      expect(parseKasaReply(answer(file)), file).toEqual({
        channels: [{ channel: '0', watts, energyJoules }],
        deviceId: MASKED_ID,
        model,
      });
    }
  });

  it('says an HS100 (no emeter) has no meter', () => {
    expect(() => parseKasaReply(answer('HS100-UK_hw4.1_fw1.1.0.json'))).toThrow(
      expect.objectContaining({ reason: 'no meter' }),
    );
    // What such a plug answers when asked for the emeter anyway.
    expect(() => parseKasaReply('{"emeter":{"err_code":-1,"err_msg":"module not support"}}')).toThrow(
      /no energy meter \(module not support\)/,
    );
  });

  it('reports a device error code', () => {
    expect(() => parseKasaReply('{"emeter":{"get_realtime":{"err_code":-10,"err_msg":"busy"}}}')).toThrow(
      expect.objectContaining({ reason: 'device error' }),
    );
  });
});

describe('parseTapoEnergy (smart protocol JSON; no transport yet)', () => {
  it('reads a Tapo P110: current_power in mW, month_energy in Wh', () => {
    expect(parseTapoEnergy(answer('tapo-P110-EU_hw1.0_fw1.2.3.json'))).toEqual({
      channels: [{ channel: '0', watts: 0, energyJoules: 1_548_000 }],
      deviceId: MASKED_ID,
      model: 'P110',
    });
  });

  it('reads a KP125M: get_emeter_data power_mw', () => {
    expect(parseTapoEnergy(answer('KP125M-US_hw1.0_fw1.2.3.json'))).toEqual({
      channels: [{ channel: '0', watts: 1.003, energyJoules: 3_495_600 }],
      deviceId: MASKED_ID,
      model: 'KP125M',
    });
  });
});
