import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; level from LOG_LEVEL. */
export const createLogger = (level: string): Logger => pino({ level, base: { service: 'backoffice-approval-processor' } });
