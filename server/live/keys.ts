// Every Redis key and channel, named in one place. `{sid}`-style hash tags keep one session's keys together.
export const keys = {
  /** Hash: the session's live numbers plus fold cursors (see domain/stats.ts). */
  session: (sid: number) => `live:s:{${sid}}:state`,
  /** Set of event ids seen for the session (dedupe); expires days after the last event. */
  seen: (sid: number) => `live:s:{${sid}}:seen`,
  /** Hash orderId → "amountFen:refundedFen". */
  orders: (sid: number) => `live:s:{${sid}}:orders`,
  /** Set of buyerRefs (exact distinct buyers). */
  buyers: (sid: number) => `live:s:{${sid}}:buyers`,
  /** Stream of 10-second points: id <bucketMs>-0, fields online, gmv, orders. */
  series: (sid: number) => `live:s:{${sid}}:series`,
  /** Hash of stage sums. */
  stageTotals: (stageId: number) => `live:stage:${stageId}:totals`,
  /** Sorted set of net GMV per team / city / university. */
  board: (stageId: number, dim: 'team' | 'city' | 'university') => `live:stage:${stageId}:board:${dim}`,
  /** Hash minute epoch ms → gross GMV fen in that minute. */
  gmvMinutes: (stageId: number) => `live:stage:${stageId}:gmv-min`,
  /** The durable log stream and its persister consumer group. */
  log: 'live:log',
  logGroup: 'persister',
  /** Pub/sub channel carrying changed sessions to every hub. */
  changes: 'live:changes',
  /** List of the stage's newest big orders (JSON), newest first. */
  bigOrders: (stageId: number) => `live:stage:${stageId}:big-orders`,
  /** Pub/sub channel carrying new big orders to every hub. */
  bigOrderChannel: 'live:big-orders',
} as const;

/** Seconds a session's dedupe set and order book outlive its last event. */
export const SESSION_KEY_TTL_SECONDS = 3 * 24 * 3600;
