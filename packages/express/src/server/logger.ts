import pino, { type Logger } from 'pino';
import { redactingLoggerOptions } from '../trust/redact';

/**
 * The endpoint's logger: pino, JSON lines on stdout. The level comes from the option, then from
 * APSKIT_LOG_LEVEL, then `info`; the test setup sets `silent`. It never writes a private key (see
 * trust/redact.ts).
 */
export function createLogger(level?: string): Logger {
  return pino({
    name: 'apskit',
    level: level ?? process.env.APSKIT_LOG_LEVEL ?? 'info',
    ...redactingLoggerOptions(),
  });
}
