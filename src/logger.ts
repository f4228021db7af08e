import { pino, type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from './tracing/log-fields.ts';

export type { Logger };

/** JSON lines on stdout; level from LOG_LEVEL; inside a traced span, with its trace_id and span_id. */
export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino({ level, base: { service: 'backoffice-approval-processor' }, mixin: traceLogFields }, destination);
