// The Lua script behind RedisLiveStore.applyBatch: one batch deduped, folded and written in one atomic round
// trip. It mirrors MemoryLiveStore and domain/stats.ts foldStats exactly; the contract suite holds them equal.
//
// KEYS: [1] the durable log stream; then 5 per session in order of first appearance in the batch (state, seen,
//       orders, buyers, series); then 5 per stage in order of first appearance (totals, team board, city board,
//       university board, gmv per minute). The caller builds them from keys.ts in that same order.
// ARGV: [1] the batch as JSON (StoreEvent[]), [2] the log's consumer group, [3] the changes channel,
//       [4] the TTL of the per-session keys in seconds.
// Returns { one result code per event ('a' accepted, 'd' duplicate, 'c' CONFLICT, 'u' UNKNOWN_ORDER,
//           'x' REFUND_EXCEEDS_ORDER), JSON array of the changed sessions (SessionLive) }.
export const APPLY_BATCH_LUA = `
local batch = cjson.decode(ARGV[1])
local group, channel, ttl = ARGV[2], ARGV[3], ARGV[4]
local COUNTERS = { 'views', 'viewers', 'likes', 'comments', 'shares', 'followers' }
local NUMBERS = { 'online', 'peakOnline', 'views', 'viewers', 'likes', 'comments', 'shares', 'followers',
  'gmvFen', 'orders', 'buyers', 'units', 'refunds', 'refundFen' }
local BUCKET_MS, MINUTE_MS = 10000, 60000

-- Lua numbers are doubles: '%d' writes an integer in full, where tostring would switch to an exponent.
local function int(x) return string.format('%d', x) end

-- Key slots by first appearance, as the caller laid out KEYS.
local sessionSlot, stageSlot, nSessions, nStages = {}, {}, 0, 0
for _, se in ipairs(batch) do
  local sid, stid = se.event.sessionId, se.meta.stageId
  if not sessionSlot[sid] then nSessions = nSessions + 1; sessionSlot[sid] = nSessions end
  if not stageSlot[stid] then nStages = nStages + 1; stageSlot[stid] = nStages end
end

-- Everything is read while folding and written at the end, so an error cannot leave half a batch behind.
local sessions, sessionList = {}, {}
local function loadSession(sid)
  local k = 1 + (sessionSlot[sid] - 1) * 5
  local s = { sid = sid, stateKey = KEYS[k + 1], seenKey = KEYS[k + 2], ordersKey = KEYS[k + 3],
    buyersKey = KEYS[k + 4], seriesKey = KEYS[k + 5], n = {}, raw = {}, offset = {}, ids = {}, newIds = {},
    orders = {}, dirtyOrders = {}, buyerKnown = {}, newBuyers = {}, points = {}, changed = false }
  local flat = redis.call('HGETALL', s.stateKey)
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  for _, f in ipairs(NUMBERS) do s.n[f] = tonumber(h[f]) or 0 end
  for _, c in ipairs(COUNTERS) do
    s.raw[c] = tonumber(h['raw.' .. c]) or 0
    s.offset[c] = tonumber(h['offset.' .. c]) or 0
  end
  s.at = tonumber(h.at) or -1
  s.bucket = tonumber(h.bucket)
  s.lastEventAt = tonumber(h.lastEventAt)
  s.manual = h.manual == '1'
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
    local v = redis.call('HGET', s.ordersKey, orderId)
    o = false
    if v then
      local amount, refunded = string.match(v, '^(%d+):(%d+)$')
      o = { amount = tonumber(amount), refunded = tonumber(refunded) }
    end
    s.orders[orderId] = o
  end
  return o
end

local function check(s, e)
  if e.type == 'order' then
    if orderOf(s, e.orderId) then return 'c' end
  elseif e.type == 'refund' then
    local o = orderOf(s, e.orderId)
    if not o then return 'u' end
    if o.refunded + e.amountFen > o.amount then return 'x' end
  end
  return 'a'
end

-- Closes the bucket in progress (as it stood before this event) when the event starts a later one.
local function advanceBucket(s, atMs)
  local b = math.floor(atMs / BUCKET_MS) * BUCKET_MS
  if s.bucket ~= nil and b > s.bucket then
    s.points[#s.points + 1] = { s.bucket, s.n.online, s.n.gmvFen, s.n.orders }
  end
  if s.bucket == nil or b > s.bucket then s.bucket = b end
end

-- domain/stats.ts foldStats, line for line.
local function foldStats(s, e, atMs, source)
  if atMs < s.at then return end
  local n = s.n
  n.online = e.online
  if e.online > n.peakOnline then n.peakOnline = e.online end
  for _, c in ipairs(COUNTERS) do
    local v = e[c]
    if type(v) == 'number' then
      if v < s.raw[c] then s.offset[c] = s.offset[c] + s.raw[c] end
      s.raw[c] = v
      n[c] = s.offset[c] + v
    end
  end
  s.at = atMs
  s.manual = source == 'manual'
end

local function addToBoards(g, meta, delta)
  local ids = { team = int(meta.teamId), city = meta.cityCode, university = int(meta.universityId) }
  for dim, id in pairs(ids) do g.boards[dim][id] = (g.boards[dim][id] or 0) + delta end
end

local function applyOrder(s, g, se)
  local e, n, t = se.event, s.n, g.sums
  s.orders[e.orderId] = { amount = e.amountFen, refunded = 0 }
  s.dirtyOrders[e.orderId] = true
  n.gmvFen = n.gmvFen + e.amountFen
  n.orders = n.orders + 1
  n.units = n.units + e.quantity
  t.gmvFen = t.gmvFen + e.amountFen
  t.orders = t.orders + 1
  t.units = t.units + e.quantity
  local ref = e.buyerRef
  if type(ref) == 'string' and not s.buyerKnown[ref] then
    s.buyerKnown[ref] = true
    if redis.call('SISMEMBER', s.buyersKey, ref) == 0 then
      s.newBuyers[#s.newBuyers + 1] = ref
      n.buyers = n.buyers + 1
      t.buyers = t.buyers + 1
    end
  end
  addToBoards(g, se.meta, e.amountFen)
  local minute = math.floor(se.atMs / MINUTE_MS) * MINUTE_MS
  g.minutes[minute] = (g.minutes[minute] or 0) + e.amountFen
end

local function applyRefund(s, g, se)
  local e = se.event
  local o = s.orders[e.orderId]
  o.refunded = o.refunded + e.amountFen
  s.dirtyOrders[e.orderId] = true
  s.n.refunds = s.n.refunds + 1
  s.n.refundFen = s.n.refundFen + e.amountFen
  g.sums.refundFen = g.sums.refundFen + e.amountFen
  addToBoards(g, se.meta, -e.amountFen)
end

local codes, accepted = {}, {}
for i, se in ipairs(batch) do
  local e = se.event
  local s = sessions[e.sessionId] or loadSession(e.sessionId)
  local code
  if s.ids[e.id] or redis.call('SISMEMBER', s.seenKey, e.id) == 1 then code = 'd' else code = check(s, e) end
  if code == 'a' then
    s.ids[e.id] = true
    s.newIds[#s.newIds + 1] = e.id
    s.changed = true
    accepted[#accepted + 1] = se
    advanceBucket(s, se.atMs)
    if e.type == 'stats' then foldStats(s, e, se.atMs, se.source)
    elseif e.type == 'order' then applyOrder(s, stageOf(se.meta.stageId), se)
    else applyRefund(s, stageOf(se.meta.stageId), se) end
    if s.lastEventAt == nil or se.atMs > s.lastEventAt then s.lastEventAt = se.atMs end
  end
  codes[i] = code
end

local function sessionJson(s)
  local parts = { '"sessionId":' .. int(s.sid) }
  for _, f in ipairs(NUMBERS) do parts[#parts + 1] = '"' .. f .. '":' .. int(s.n[f]) end
  parts[#parts + 1] = '"lastEventAt":' .. (s.lastEventAt and int(s.lastEventAt) or 'null')
  parts[#parts + 1] = '"manual":' .. (s.manual and 'true' or 'false')
  return '{' .. table.concat(parts, ',') .. '}'
end

local function writeSeries(s)
  -- Only points later than the stream's last one: XADD would refuse an older id after the writes began.
  local last = redis.call('XREVRANGE', s.seriesKey, '+', '-', 'COUNT', 1)[1]
  local lastMs = last and tonumber(string.match(last[1], '^(%d+)')) or -1
  for _, p in ipairs(s.points) do
    if p[1] > lastMs then
      redis.call('XADD', s.seriesKey, int(p[1]) .. '-0', 'online', int(p[2]), 'gmv', int(p[3]), 'orders', int(p[4]))
    end
  end
end

local changed = {}
for _, s in ipairs(sessionList) do
  if s.changed then
    local h = { 'at', int(s.at), 'bucket', int(s.bucket), 'lastEventAt', int(s.lastEventAt),
      'manual', s.manual and '1' or '0' }
    for _, f in ipairs(NUMBERS) do h[#h + 1] = f; h[#h + 1] = int(s.n[f]) end
    for _, c in ipairs(COUNTERS) do
      h[#h + 1] = 'raw.' .. c; h[#h + 1] = int(s.raw[c])
      h[#h + 1] = 'offset.' .. c; h[#h + 1] = int(s.offset[c])
    end
    redis.call('HSET', s.stateKey, unpack(h))
    redis.call('SADD', s.seenKey, unpack(s.newIds))
    local o = {}
    for id in pairs(s.dirtyOrders) do
      o[#o + 1] = id; o[#o + 1] = int(s.orders[id].amount) .. ':' .. int(s.orders[id].refunded)
    end
    if #o > 0 then redis.call('HSET', s.ordersKey, unpack(o)) end
    if #s.newBuyers > 0 then redis.call('SADD', s.buyersKey, unpack(s.newBuyers)) end
    if #s.points > 0 then writeSeries(s) end
    for _, key in ipairs({ s.stateKey, s.seenKey, s.ordersKey, s.buyersKey, s.seriesKey }) do
      redis.call('EXPIRE', key, ttl)
    end
    changed[#changed + 1] = sessionJson(s)
  end
end

for _, g in ipairs(stageList) do
  for field, v in pairs(g.sums) do
    if v ~= 0 then redis.call('HINCRBY', g.totalsKey, field, int(v)) end
  end
  for dim, deltas in pairs(g.boards) do
    for id, d in pairs(deltas) do redis.call('ZINCRBY', g.boardKeys[dim], int(d), id) end
  end
  for t, v in pairs(g.minutes) do redis.call('HINCRBY', g.minutesKey, int(t), int(v)) end
end

if #accepted > 0 then
  -- The persister's group starts at 0 so it sees this entry even if the stream was just created here.
  if redis.call('EXISTS', KEYS[1]) == 0 then redis.pcall('XGROUP', 'CREATE', KEYS[1], group, '0', 'MKSTREAM') end
  redis.call('XADD', KEYS[1], '*', 'events', cjson.encode(accepted))
end

local changedJson = '[' .. table.concat(changed, ',') .. ']'
if #changed > 0 then redis.call('PUBLISH', channel, changedJson) end
return { table.concat(codes), changedJson }
`;
