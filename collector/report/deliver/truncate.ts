/**
 * `text` cut to at most `max` characters at a line break, with a note saying where the whole report
 * is, for destinations that only take a short message.
 */
export function truncateMarkdown(text: string, max: number, fullAt: string | undefined): string {
  if (text.length <= max) return text;
  const note = `\n\n… cut short; the full report is ${fullAt ? `at ${fullAt}` : 'in the other destinations'}`;
  const room = Math.max(0, max - note.length);
  const cut = text.slice(0, room);
  const lineBreak = cut.lastIndexOf('\n');
  // A break in the last third keeps whole lines; otherwise one huge line would leave almost nothing.
  const kept = lineBreak > room * (2 / 3) ? cut.slice(0, lineBreak) : cut;
  return `${kept.trimEnd()}${note}`.slice(0, max);
}
