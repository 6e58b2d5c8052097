// The Lua script behind RedisLiveStore.applyBatch (one batch deduped, folded and written in one atomic round
// trip), with the encoding of its input and reply. It mirrors MemoryLiveStore and domain/stats.ts foldStats
// exactly; the contract suite holds them equal.
import type { SessionLive } from '../../contracts/live';
import { COUNTERS } from '../domain/stats';
import { logRow, type ApplyOutcome, type ApplyResult, type StoreEvent } from './store';
import { keys, SESSION_KEY_TTL_SECONDS } from './keys';
import { rejection } from './memory-store';

// KEYS: [1] the durable log stream; then 5 per session in order of first appearance in the batch (state, seen,
//       orders, buyers, series); then 5 per stage in order of first appearance (totals, team board, city board,
//       university board, gmv per minute), built from keys.ts by applyInput().
// ARGV: [1] the batch as JSON, one tuple per event (EventTuple below), [2] the events' log rows (store.ts LogRow) as a JSON array,
//       written to the log as is when all are accepted, [3] the log's consumer group, [4] the changes channel,
//       [5] the TTL of the per-session keys in seconds.
// Returns { one result code per event ('a' accepted, 'd' duplicate, 'c' CONFLICT, 'u' UNKNOWN_ORDER,
//           'x' REFUND_EXCEEDS_ORDER), JSON array of the changed sessions (SessionLive) }.
//
// Speed, since Lua string handling dominates: the batch tuples are small to decode, the log JSON is never
// re-encoded, a session's numbers are read and written as one packed field (\`fold\`: ~30 numbers as doubles;
// named hash fields cost several times more to read, format and write), and TTLs are renewed hourly rather than
// on every batch.
/**
 * What a session's state hash packs in its one field \`fold\`, in order: the fold cursor, the SessionLive numbers, and
 * the raw value and reset offset of each cumulative counter. Changing the list changes the layout: rename the
 * field with it, so hashes of the old layout are not misread.
 */
export const FOLD_FIELDS = [
  'at', 'bucket', 'lastEventAt', 'manual', 'ttlAt',
  'online', 'peakOnline', 'views', 'viewers', 'likes', 'comments', 'shares', 'followers',
  'gmvFen', 'orders', 'buyers', 'units', 'refunds', 'refundFen',
  ...COUNTERS.flatMap((c) => [`raw.${c}`, `offset.${c}`] as const),
] as const;
export type FoldField = (typeof FOLD_FIELDS)[number];

/** A \`fold\` field as its numbers (-Infinity: no bucket or event yet). */
export function unpackFold(packed: Buffer): Record<FoldField, number> {
  if (packed.length !== FOLD_FIELDS.length * 8) throw new Error(`live store: a session's fold has ${packed.length} bytes`);
  const out = {} as Record<FoldField, number>;
  FOLD_FIELDS.forEach((f, i) => {
    out[f] = packed.readDoubleLE(i * 8);
  });
  return out;
}

export const APPLY_BATCH_LUA = `
local batch = cjson.decode(ARGV[1])
local logJson, group, channel, ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local COUNTERS = { 'views', 'viewers', 'likes', 'comments', 'shares', 'followers' }
local NUMBERS = { 'online', 'peakOnline', 'views', 'viewers', 'likes', 'comments', 'shares', 'followers',
  'gmvFen', 'orders', 'buyers', 'units', 'refunds', 'refundFen' }
-- The state hash's one field \`fold\`: FOLD_FIELDS (below, from TypeScript) packed as little-endian doubles, read
-- by this script and by the store's readers (unpackFold).
local RAW, OFFSET = {}, {}
for _, c in ipairs(COUNTERS) do RAW[c], OFFSET[c] = 'raw.' .. c, 'offset.' .. c end
local FOLD = { ${FOLD_FIELDS.map((f) => `'${f}'`).join(', ')} }
local FOLD_FORMAT = '<' .. string.rep('d', #FOLD)
local NONE = -math.huge -- bucket and lastEventAt before the first event
-- A session never seen: at = -1 as domain/stats.ts emptyCursor(), no bucket or event yet, the rest 0.
local FRESH = {}
for i, f in ipairs(FOLD) do FRESH[i] = (f == 'at' and -1) or ((f == 'bucket' or f == 'lastEventAt') and NONE) or 0 end
local BUCKET_MS, MINUTE_MS = 10000, 60000
-- TTLs are renewed when an hour old, so keys outlive a session's last event by at least TTL - 1 h.
local RENEW_S = 3600
local now = tonumber(redis.call('TIME')[1])

-- Lua numbers are doubles: '%d' writes an integer in full, where tostring would switch to an exponent.
local function int(x) return string.format('%d', x) end

-- Key slots by first appearance, as the caller laid out KEYS.
local sessionSlot, stageSlot, nSessions, nStages = {}, {}, 0, 0
for _, e in ipairs(batch) do
  if not sessionSlot[e[2]] then nSessions = nSessions + 1; sessionSlot[e[2]] = nSessions end
  if not stageSlot[e[7]] then nStages = nStages + 1; stageSlot[e[7]] = nStages end
end

-- Everything is read while folding and written at the end, so an error cannot leave half a batch behind.
-- s.v holds the numbers being folded.
local sessions, sessionList = {}, {}
local function loadSession(sid)
  local k = 1 + (sessionSlot[sid] - 1) * 5
  local s = { sid = sid, stateKey = KEYS[k + 1], seenKey = KEYS[k + 2], ordersKey = KEYS[k + 3],
    buyersKey = KEYS[k + 4], seriesKey = KEYS[k + 5], v = {}, ids = {}, newIds = {}, orders = {},
    dirtyOrders = {}, buyerKnown = {}, newBuyers = {}, points = {}, changed = false }
  local v = s.v
  local packed = redis.call('HGET', s.stateKey, 'fold')
  local stored = packed and { struct.unpack(FOLD_FORMAT, packed) } or FRESH
  for i, f in ipairs(FOLD) do v[f] = stored[i] end
  s.hadOrders, s.hadBuyers = v.orders > 0, v.buyers > 0
  sessions[sid] = s
  sessionList[#sessionList + 1] = s
  return s
end

local stages, stageList = {}, {}
local function stageOf(stid)
  local g = stages[stid]
  if g then return g end
  local k = 1 + nSessions * 5 + (stageSlot[stid] - 1) * 5
  g = { totalsKey = KEYS[k + 1], boardKeys = { team = KEYS[k + 2], city = KEYS[k + 3], university = KEYS[k + 4] },
    minutesKey = KEYS[k + 5], sums = { gmvFen = 0, orders = 0, units = 0, buyers = 0, refundFen = 0 },
    boards = { team = {}, city = {}, university = {} }, minutes = {} }
  stages[stid] = g
  stageList[#stageList + 1] = g
  return g
end

local function orderOf(s, orderId)
  local o = s.orders[orderId]
  if o == nil then
    local stored = redis.call('HGET', s.ordersKey, orderId)
    o = false
    if stored then
      local amount, refunded = string.match(stored, '^(%d+):(%d+)$')
      o = { amount = tonumber(amount), refunded = tonumber(refunded) }
    end
    s.orders[orderId] = o
  end
  return o
end

-- Tuples: [1] kind, [2] sessionId, [3] id, [4] atMs, [5] [6] the event's bytes in ARGV[2],
-- [7] stageId, [8] teamId, [9] cityCode, [10] universityId (the board ids: strings), then by kind:
-- 's': [11] manual 0/1, [12] online, [13..18] the COUNTERS (null when absent)
-- 'o': [11] orderId, [12] quantity, [13] amountFen, [14] buyerRef (null when absent)
-- 'r': [11] orderId, [12] amountFen
local function check(s, e)
  if e[1] == 'o' then
    if orderOf(s, e[11]) then return 'c' end
  elseif e[1] == 'r' then
    local o = orderOf(s, e[11])
    if not o then return 'u' end
    if o.refunded + e[12] > o.amount then return 'x' end
  end
  return 'a'
end

-- Closes the bucket in progress (as it stood before this event) when the event starts a later one.
local function advanceBucket(s, atMs)
  local v = s.v
  local b = math.floor(atMs / BUCKET_MS) * BUCKET_MS
  if b > v.bucket then
    if v.bucket ~= NONE then s.points[#s.points + 1] = { v.bucket, v.online, v.gmvFen, v.orders } end
    v.bucket = b
  end
end

-- domain/stats.ts foldStats, line for line.
local function foldStats(s, e)
  local v, atMs, online = s.v, e[4], e[12]
  if atMs < v.at then return end
  v.online = online
  if online > v.peakOnline then v.peakOnline = online end
  for i, c in ipairs(COUNTERS) do
    local x = e[12 + i]
    if type(x) == 'number' then
      if x < v[RAW[c]] then v[OFFSET[c]] = v[OFFSET[c]] + v[RAW[c]] end
      v[RAW[c]] = x
      v[c] = v[OFFSET[c]] + x
    end
  end
  v.at = atMs
  v.manual = e[11]
end

local function addToBoards(g, e, delta)
  local team, city, university = g.boards.team, g.boards.city, g.boards.university
  local t, c, u = e[8], e[9], e[10]
  team[t] = (team[t] or 0) + delta
  city[c] = (city[c] or 0) + delta
  university[u] = (university[u] or 0) + delta
end

local function applyOrder(s, g, e)
  local v, t, orderId, quantity, amount, ref = s.v, g.sums, e[11], e[12], e[13], e[14]
  s.orders[orderId] = { amount = amount, refunded = 0 }
  s.dirtyOrders[orderId] = true
  v.gmvFen = v.gmvFen + amount
  v.orders = v.orders + 1
  v.units = v.units + quantity
  t.gmvFen = t.gmvFen + amount
  t.orders = t.orders + 1
  t.units = t.units + quantity
  if type(ref) == 'string' and not s.buyerKnown[ref] then
    s.buyerKnown[ref] = true
    if redis.call('SISMEMBER', s.buyersKey, ref) == 0 then
      s.newBuyers[#s.newBuyers + 1] = ref
      v.buyers = v.buyers + 1
      t.buyers = t.buyers + 1
    end
  end
  addToBoards(g, e, amount)
  local minute = math.floor(e[4] / MINUTE_MS) * MINUTE_MS
  g.minutes[minute] = (g.minutes[minute] or 0) + amount
end

local function applyRefund(s, g, e)
  local orderId, amount = e[11], e[12]
  local o = s.orders[orderId]
  o.refunded = o.refunded + amount
  s.dirtyOrders[orderId] = true
  s.v.refunds = s.v.refunds + 1
  s.v.refundFen = s.v.refundFen + amount
  g.sums.refundFen = g.sums.refundFen + amount
  addToBoards(g, e, -amount)
end

local codes, accepted = {}, {}
for i, e in ipairs(batch) do
  local s = sessions[e[2]] or loadSession(e[2])
  local id = e[3]
  local code
  if s.ids[id] or redis.call('SISMEMBER', s.seenKey, id) == 1 then code = 'd' else code = check(s, e) end
  if code == 'a' then
    s.ids[id] = true
    s.newIds[#s.newIds + 1] = id
    s.changed = true
    accepted[#accepted + 1] = e
    advanceBucket(s, e[4])
    if e[1] == 's' then foldStats(s, e)
    elseif e[1] == 'o' then applyOrder(s, stageOf(e[7]), e)
    else applyRefund(s, stageOf(e[7]), e) end
    if e[4] > s.v.lastEventAt then s.v.lastEventAt = e[4] end
  end
  codes[i] = code
end

local function writeSession(s)
  local renew = now - s.v.ttlAt >= RENEW_S
  if renew then s.v.ttlAt = now end
  local packed = {}
  for i, f in ipairs(FOLD) do packed[i] = s.v[f] end
  redis.call('HSET', s.stateKey, 'fold', struct.pack(FOLD_FORMAT, unpack(packed)))
  redis.call('SADD', s.seenKey, unpack(s.newIds))
  local o = {}
  for id in pairs(s.dirtyOrders) do
    o[#o + 1] = id
    o[#o + 1] = int(s.orders[id].amount) .. ':' .. int(s.orders[id].refunded)
  end
  if #o > 0 then redis.call('HSET', s.ordersKey, unpack(o)) end
  if #s.newBuyers > 0 then redis.call('SADD', s.buyersKey, unpack(s.newBuyers)) end
  for _, p in ipairs(s.points) do
    -- pcall: were the stream ahead of the state (it never is), the point is dropped, not half the batch.
    redis.pcall('XADD', s.seriesKey, int(p[1]) .. '-0', 'online', int(p[2]), 'gmv', int(p[3]), 'orders', int(p[4]))
  end
  -- A key this batch may have created gets its TTL now; all of them when the renewal is due.
  if renew or (#s.points > 0) then redis.call('EXPIRE', s.seriesKey, ttl) end
  if renew or (#o > 0 and not s.hadOrders) then redis.call('EXPIRE', s.ordersKey, ttl) end
  if renew or (#s.newBuyers > 0 and not s.hadBuyers) then redis.call('EXPIRE', s.buyersKey, ttl) end
  if renew then
    redis.call('EXPIRE', s.stateKey, ttl)
    redis.call('EXPIRE', s.seenKey, ttl)
  end
end

-- One string.format per session: far cheaper in Lua than concatenating field by field.
local SESSION_JSON = '{"sessionId":%d'
for _, f in ipairs(NUMBERS) do SESSION_JSON = SESSION_JSON .. ',"' .. f .. '":%d' end
SESSION_JSON = SESSION_JSON .. ',"lastEventAt":%d,"manual":%s}'
local function sessionJson(s)
  local values = { s.sid }
  for _, f in ipairs(NUMBERS) do values[#values + 1] = s.v[f] end
  values[#values + 1] = s.v.lastEventAt
  values[#values + 1] = s.v.manual == 1 and 'true' or 'false'
  return string.format(SESSION_JSON, unpack(values))
end

local changed = {}
for _, s in ipairs(sessionList) do
  if s.changed then
    writeSession(s)
    changed[#changed + 1] = sessionJson(s)
  end
end

for _, g in ipairs(stageList) do
  for field, x in pairs(g.sums) do
    if x ~= 0 then redis.call('HINCRBY', g.totalsKey, field, int(x)) end
  end
  for dim, deltas in pairs(g.boards) do
    for id, d in pairs(deltas) do redis.call('ZINCRBY', g.boardKeys[dim], int(d), id) end
  end
  for t, x in pairs(g.minutes) do redis.call('HINCRBY', g.minutesKey, int(t), int(x)) end
end

if #accepted > 0 then
  if #accepted < #batch then
    local parts = {}
    for i, e in ipairs(accepted) do parts[i] = string.sub(logJson, e[5], e[6]) end
    logJson = '[' .. table.concat(parts, ',') .. ']'
  end
  -- The persister's group starts at 0 so it sees this entry even if the stream is created here.
  if redis.call('EXISTS', KEYS[1]) == 0 then redis.pcall('XGROUP', 'CREATE', KEYS[1], group, '0', 'MKSTREAM') end
  redis.call('XADD', KEYS[1], '*', 'events', logJson, 'n', #accepted)
end

local changedJson = '[' .. table.concat(changed, ',') .. ']'
if #changed > 0 then redis.call('PUBLISH', channel, changedJson) end
return { table.concat(codes), changedJson }
`;

type Head = [sessionId: number, id: string, atMs: number, logFrom: number, logTo: number, stageId: number, teamId: string, cityCode: string, universityId: string];
type EventTuple =
  | ['s', ...Head, manual: 0 | 1, online: number, ...counters: Array<number | null>]
  | ['o', ...Head, orderId: string, quantity: number, amountFen: number, buyerRef: string | null]
  | ['r', ...Head, orderId: string, amountFen: number];

/** KEYS and ARGV for one batch. */
export function applyInput(events: StoreEvent[], channel: string): { keys: string[]; args: string[] } {
  const sessionIds = new Set(events.map((e) => e.event.sessionId));
  const stageIds = new Set(events.map((e) => e.meta.stageId));
  const keyList = [
    keys.log,
    ...[...sessionIds].flatMap((s) => [keys.session(s), keys.seen(s), keys.orders(s), keys.buyers(s), keys.series(s)]),
    ...[...stageIds].flatMap((g) => [keys.stageTotals(g), keys.board(g, 'team'), keys.board(g, 'city'), keys.board(g, 'university'), keys.gmvMinutes(g)]),
  ];
  const log = logPayload(events);
  const tuples = events.map((se, i) => toTuple(se, log.spans[i] ?? [0, 0]));
  return { keys: keyList, args: [JSON.stringify(tuples), log.json, keys.logGroup, channel, String(SESSION_KEY_TTL_SECONDS)] };
}

/** A few numbers per event: far cheaper for the script to decode than the StoreEvent itself. */
function toTuple(se: StoreEvent, [from, to]: [number, number]): EventTuple {
  const e = se.event;
  const m = se.meta;
  // Board ids as the leaderboards name them (RankDimension ids are strings).
  const head: Head = [e.sessionId, e.id, se.atMs, from, to, m.stageId, String(m.teamId), m.cityCode, String(m.universityId)];
  switch (e.type) {
    case 'stats':
      return ['s', ...head, se.source === 'manual' ? 1 : 0, e.online, ...COUNTERS.map((c) => e[c] ?? null)];
    case 'order':
      return ['o', ...head, e.orderId, e.quantity, e.amountFen, e.buyerRef ?? null];
    case 'refund':
      return ['r', ...head, e.orderId, e.amountFen];
  }
}

/** The events' log rows as one JSON array, and where each lies in it (1-based byte offsets, as Lua counts). */
function logPayload(events: StoreEvent[]): { json: string; spans: Array<[number, number]> } {
  const parts = events.map((e) => JSON.stringify(logRow(e)));
  let at = 2; // after '['
  const spans = parts.map((p): [number, number] => {
    const span: [number, number] = [at, at + Buffer.byteLength(p) - 1];
    at = span[1] + 2; // past ','
    return span;
  });
  return { json: `[${parts.join(',')}]`, spans };
}

const REJECT_CODES = { c: 'CONFLICT', u: 'UNKNOWN_ORDER', x: 'REFUND_EXCEEDS_ORDER' } as const;

/** The script's reply as the store's outcome. */
export function applyOutcome(events: StoreEvent[], reply: unknown): ApplyOutcome {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
    throw new Error('live store: unexpected reply from the apply script');
  }
  const codes: string = reply[0];
  const results = events.map((se, i): ApplyResult => {
    const code = codes[i];
    if (code === 'a') return { status: 'accepted' };
    if (code === 'd') return { status: 'duplicate' };
    if (code === 'c' || code === 'u' || code === 'x') return rejection(REJECT_CODES[code], se.event);
    throw new Error(`live store: unknown result code ${code ?? '(none)'}`);
  });
  return { results, changed: parseSessions(reply[1]) };
}

/** The script's JSON of changed sessions (also what it publishes): every SessionLive field, written by it. */
export const parseSessions = (text: string): SessionLive[] => JSON.parse(text) as SessionLive[];
