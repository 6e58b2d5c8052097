// Messages between bench/run.ts and its dashboards process (bench/dashboards.ts), checked on arrival.
import { z } from 'zod';

const Pair = z.tuple([z.string(), z.number()]);

export const ToDashboards = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('connect'),
    url: z.string(),
    token: z.string(),
    count: z.number().int().positive(),
    /** 'wall': every dashboard on the wall; 'mixed': half on the wall, half on city rooms. */
    rooms: z.enum(['wall', 'mixed']),
    /** How many of them parse their updates and time them; the rest drop updates unread (bench/lean-parser.ts). */
    measuring: z.number().int().positive(),
    cityCodes: z.array(z.string()),
  }),
  /** Subscribes every connected dashboard to its room (the first snapshot gives the order counts). */
  z.object({ type: z.literal('subscribe') }),
  z.object({ type: z.literal('run-start'), run: z.number().int() }),
  /** Send times of the run's orders, keyed `sessionId:orderCount`. */
  z.object({ type: z.literal('run-end'), run: z.number().int(), sends: z.array(Pair) }),
  z.object({ type: z.literal('close') }),
]);
export type ToDashboards = z.infer<typeof ToDashboards>;

export const LatencyResult = z.object({
  run: z.number().int(),
  samples: z.number().int(),
  /** Orders × dashboards that should have seen them. */
  expected: z.number().int(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
  /** Per order, the first dashboard to see it: the hub's own delay, with little of the clients' queueing. */
  firstP50: z.number(),
  firstP99: z.number(),
  updates: z.number().int(),
  /** Mean JSON size of one wall update as one dashboard received it. */
  updateBytes: z.number(),
  /** CPU seconds the dashboards process used during the run (its own cost on the shared machine). */
  cpuSeconds: z.number(),
  /** Event-loop utilisation of the dashboards process: near 1 would mean the clients, not the hub, set the pace. */
  elu: z.number(),
  measuring: z.number().int(),
});
export type LatencyResult = z.infer<typeof LatencyResult>;

export const FromDashboards = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('connected'),
    connected: z.number().int(),
    failed: z.number().int(),
    firstError: z.string().optional(),
    ms: z.number(),
  }),
  z.object({
    type: z.literal('subscribed'),
    subscribed: z.number().int(),
    failed: z.number().int(),
    firstError: z.string().optional(),
    ms: z.number(),
    /** Order count of every session in the first wall snapshot. */
    orders: z.array(z.tuple([z.number(), z.number()])),
    /** JSON size of one wall snapshot as a dashboard received it. */
    snapshotBytes: z.number(),
  }),
  z.object({ type: z.literal('run-result'), result: LatencyResult }),
  z.object({ type: z.literal('closed') }),
]);
export type FromDashboards = z.infer<typeof FromDashboards>;
