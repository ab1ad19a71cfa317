import { describe, expect, it } from 'vitest';
import { QueryFields } from './fields.ts';

describe('QueryFields', () => {
  it('asks for every field by its first name, the product name last', () => {
    const { names, keys } = new QueryFields().current();
    expect(names[0]).toBe('index');
    expect(names.at(-1)).toBe('name');
    expect(names).toContain('clocks_throttle_reasons.active');
    expect(names).toContain('total_energy_consumption');
    expect(keys).toHaveLength(names.length);
  });

  it('drops a refused field for good, and the column with it', () => {
    const fields = new QueryFields();
    const before = fields.current().names.length;
    expect(fields.refuse('total_energy_consumption')).toBe('dropped');
    expect(fields.current().names).not.toContain('total_energy_consumption');
    expect(fields.current().keys).not.toContain('energy');
    expect(fields.current().names).toHaveLength(before - 1);
    expect(fields.refusedNames()).toEqual(['total_energy_consumption']);
  });

  it('asks for the other name of a field when the first is refused', () => {
    const fields = new QueryFields();
    expect(fields.refuse('clocks_throttle_reasons.active')).toBe('next-name');
    expect(fields.current().names).toContain('clocks_event_reasons.active');
    expect(fields.refuse('clocks_event_reasons.active')).toBe('dropped');
    expect(fields.current().keys).not.toContain('eventReasonsActive');
  });

  it('keeps asking for a required field, and ignores names it did not ask for', () => {
    const fields = new QueryFields();
    expect(fields.refuse('index')).toBe('required');
    expect(fields.current().names).toContain('index');
    expect(fields.refuse('uuid')).toBe('next-name');
    expect(fields.refuse('gpu_uuid')).toBe('required');
    expect(fields.current().names).toContain('gpu_uuid');
    expect(fields.refuse('device_minor')).toBe('not-asked');
    expect(fields.refuse('clocks_event_reasons.active')).toBe('not-asked');
  });
});
