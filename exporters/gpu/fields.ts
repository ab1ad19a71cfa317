import { GPU_FIELDS, type GpuFieldKey } from '../parsers/nvidia-smi.ts';

/** What refusing a field name did to the query. */
export type Refusal =
  /** Another name of the same field is asked for instead. */
  | 'next-name'
  /** The field is left out from now on. */
  | 'dropped'
  /** A field the stream cannot do without: the query stays as it was. */
  | 'required'
  /** Not a name the current query holds: the refusal is about something else. */
  | 'not-asked';

/**
 * The `--query-gpu` list, which shrinks as the driver refuses names: an unknown field makes nvidia-smi
 * exit before its first line, naming only that field. Refusals are kept for the agent's life, so a
 * restart after a crash asks for what the driver accepted before.
 */
export class QueryFields {
  private readonly refused = new Set<string>();

  /** The names asked for, one per column, and the field each column holds. */
  current(): { names: string[]; keys: GpuFieldKey[] } {
    const names: string[] = [];
    const keys: GpuFieldKey[] = [];
    for (const field of GPU_FIELDS) {
      const name = field.names.find((n) => !this.refused.has(n));
      if (name === undefined) continue;
      names.push(name);
      keys.push(field.key);
    }
    return { names, keys };
  }

  refuse(name: string): Refusal {
    if (!this.current().names.includes(name)) return 'not-asked';
    const field = GPU_FIELDS.find((f) => (f.names as readonly string[]).includes(name));
    if (!field) return 'not-asked';
    const others = field.names.filter((n) => n !== name && !this.refused.has(n));
    if ('required' in field && others.length === 0) return 'required';
    this.refused.add(name);
    return others.length > 0 ? 'next-name' : 'dropped';
  }

  /** Names the driver refused, for the log and docs. */
  refusedNames(): string[] {
    return [...this.refused];
  }
}
