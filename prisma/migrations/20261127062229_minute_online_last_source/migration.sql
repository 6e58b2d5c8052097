-- AlterTable
ALTER TABLE "MinuteAggregate" ADD COLUMN     "onlineLastAt" TIMESTAMP(3),
ADD COLUMN     "onlineLastId" TEXT;

-- Existing minutes: the stats event their onlineLast came from (the latest by time, then event id).
UPDATE "MinuteAggregate" a
SET "onlineLast" = l."online", "onlineLastAt" = l."at", "onlineLastId" = l."eventId"
FROM (
  SELECT DISTINCT ON (e."sessionId", date_trunc('minute', e."at")) e."sessionId", date_trunc('minute', e."at") AS m,
    e."at", e."eventId", e."online"
  FROM "LiveEvent" e
  WHERE e."type" = 'stats'
  ORDER BY e."sessionId", date_trunc('minute', e."at"), e."at" DESC, e."eventId" DESC
) l
WHERE a."sessionId" = l."sessionId" AND a."minute" = l.m;
