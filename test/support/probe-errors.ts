import { ProbeError } from '../../collector/probe/ssh/index.ts';

/** The ProbeError a promise rejects with; anything else (or success) fails the test. */
export async function probeFailure(promise: Promise<unknown>): Promise<ProbeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProbeError)) throw new Error(`expected a ProbeError, got ${String(err)}`);
  return err;
}
