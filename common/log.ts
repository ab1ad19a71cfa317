import { type Logger, pino } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr, so stdout stays free for command output (inventory --json). */
export function createLogger(level: string = process.env.TIERWISE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'tierwise' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
