/** One sample line of the Prometheus text format. */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;
const SPECIAL: Record<string, number> = {
  '+Inf': Number.POSITIVE_INFINITY,
  '-Inf': Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
};

/**
 * Samples of a text-format scrape (comments and HELP/TYPE lines skipped), so tests can compare the
 * agent's output, or a golden file such as node_exporter's, value by value. Throws on a line it
 * cannot read rather than skipping it, so a broken exposition never passes as a shorter one.
 */
export function parseExposition(text: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    const [, name, labelText = '', rawValue = ''] = match ?? [];
    const value = SPECIAL[rawValue] ?? Number(rawValue);
    if (!name || (Number.isNaN(value) && rawValue !== 'NaN')) throw new Error(`line ${index + 1}: ${line}`);
    samples.push({ name, labels: parseLabels(labelText, index + 1), value });
  }
  return samples;
}

function parseLabels(text: string, lineNo: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match?.[1]) throw new Error(`line ${lineNo}: bad labels {${text}}`);
    labels[match[1]] = (match[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}
