// The per-minute aggregates as the persister keeps them, and as recomputed from the whole event log (the oracle,
// as the persister once recounted each touched minute): after any sequence of writes the two must be equal.
const ORACLE = `
SELECT e."sessionId", date_trunc('minute', e."at") AS minute,
  COALESCE(MAX(e."online"), 0)::int AS "onlineMax",
  COALESCE((array_agg(e."online" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1], 0)::int AS "onlineLast",
  (array_agg(e."at" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1] AS "onlineLastAt",
  (array_agg(e."eventId" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1] AS "onlineLastId",
  COALESCE(MAX(e."views"), 0)::int AS views, MAX(e."viewers")::int AS viewers, COALESCE(MAX(e."likes"), 0)::int AS likes,
  (COUNT(*) FILTER (WHERE e."type" = 'order'))::int AS orders,
  COALESCE(SUM(e."quantity") FILTER (WHERE e."type" = 'order'), 0)::int AS units,
  COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'order'), 0)::int AS "gmvFen",
  (COUNT(*) FILTER (WHERE e."type" = 'refund'))::int AS refunds,
  COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'refund'), 0)::int AS "refundFen"
FROM "LiveEvent" e GROUP BY e."sessionId", minute ORDER BY 1, 2`;
const TABLE = `
SELECT "sessionId", "minute", "onlineMax", "onlineLast", "onlineLastAt", "onlineLastId", views, viewers, likes, orders, units, "gmvFen", refunds, "refundFen"
FROM "MinuteAggregate" ORDER BY 1, 2`;

export const MINUTE_AGGREGATES = { ORACLE, TABLE } as const;
