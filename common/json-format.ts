/** The repository's line width (biome.json), so the committed file is as `biome format` leaves it. */
const LINE_WIDTH = 110;

/**
 * JSON as biome formats it: objects one key a line, arrays of plain values on one line where they fit.
 * `prefix` is what stands before the value on its line (indent and key), `suffix` what follows it.
 */
export function formatJson(value: unknown, indent = '', prefix = '', suffix = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const plain = value.every((v) => v === null || typeof v !== 'object');
    if (plain && (prefix + inline + suffix).length <= LINE_WIDTH) return inline;
    const items = value.map((v, i) => inner + formatJson(v, inner, inner, i < value.length - 1 ? ',' : ''));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, v], i) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + formatJson(v, inner, head, i < entries.length - 1 ? ',' : '');
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
