import type { StoredReport } from './store.ts';

/** What every sender gets besides the report and its destination. */
export interface SendContext {
  /** How long one attempt may take. */
  timeoutMs: number;
  /** The report on disk: short forms of it point there for the rest. */
  stored: StoredReport | undefined;
}
