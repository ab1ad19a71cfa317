/** A command used wrongly (a missing flag, an unknown target): the CLI prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
