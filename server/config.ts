// The one place that reads process.env. Everything else receives `config`.
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Sign-in token lifetime. */
  TOKEN_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Failed sign-ins allowed per username+IP per window before RATE_LIMITED. */
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
  /** Ingest requests per collector key per second before RATE_LIMITED (a city key feeds many rooms). */
  INGEST_MAX_RPS: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Seconds an HTTP request may take before the hub gives up on it. */
  REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** Seconds a stopping hub waits for in-flight requests (ingest above all) before closing connections. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(120).default(10),
  /** Dashboard pushes per room per second at most. */
  LIVE_MAX_HZ: z.coerce.number().min(0.2).max(50).default(10),
  /** Comma-separated origins allowed by CORS (same-origin is always allowed). */
  CORS_ORIGINS: z.string().default(''),
  /** Serve the built client from dist/client. */
  SERVE_CLIENT: bool.default(true),
  /** Run the persister (Redis Stream → PostgreSQL) in this process. */
  PERSISTER: bool.default(true),
  /** Milliseconds a durable-log entry may sit unacked with a (dead) persister before another one takes it over. */
  PERSISTER_STALE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Run the alert evaluator in this process. */
  ALERTS: bool.default(true),
  /** Bearer token for GET /metrics; unset → only loopback callers may read it. */
  METRICS_TOKEN: z.string().min(16).max(256).optional(),
  /** Name of this hub in logs and metrics. */
  HUB_ID: z.string().min(1).max(64).default(`hub-${process.pid}`),
});

export type Config = z.infer<typeof ConfigSchema> & { corsOrigins: string[] };

export class ConfigError extends Error {}

/** Parse the environment once; a bad value stops start-up naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in ConfigSchema.shape && v !== undefined && v !== ''),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    ...c,
    corsOrigins: c.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
