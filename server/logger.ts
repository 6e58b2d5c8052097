import { pino, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** Structured JSON logs; secrets are redacted wherever they might appear. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'HUB_ID'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { hub: config.HUB_ID },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'password',
        '*.password',
        'token',
        '*.token',
        'key',
      ],
      censor: '[redacted]',
    },
  });
}
