/**
 * The one Lua script of `RedisStore`: the decisions of `_fleet_state.ts`
 * (keep the two in step), run atomically on the server and on the server's
 * clock (`TIME`). One key per call, so it also runs on Redis Cluster.
 *
 * `ARGV[1]` names the operation:
 * - `take` (limit, intervalMs, burst, weight, maxWeight) on a string key
 *   holding the bucket's theoretical arrival time, which expires when the
 *   bucket is full again; replies `{granted, retryAfterMs, seconds,
 *   microseconds}` (the decision's `TIME`, as integers);
 * - `circuit` (command, probe, maxProbes, probeLeaseMs, epoch, cooldownMs,
 *   success, successThreshold) on a hash; replies `{state, epoch,
 *   retryAfterMs, openings, cooldownMs, probe}`;
 * - `budget` (maxRetries, refill limit, refill intervalMs, ratio, deposits,
 *   withdraw) on a hash; replies `{granted, available}`.
 *
 * Fractional numbers travel as strings (`%.17g`): a Lua number in a reply is
 * truncated to an integer.
 *
 * @module
 */

/** The script's source. */
export const REDIS_SCRIPT = `
local op = ARGV[1]
local t = redis.call('TIME')
local sec, usec = tonumber(t[1]), tonumber(t[2])
local now = sec * 1000 + usec / 1000
if op == 'take' then
  local cost = tonumber(ARGV[3]) / tonumber(ARGV[2])
  local burst = tonumber(ARGV[4])
  local base = now
  local tat = tonumber(redis.call('GET', KEYS[1]))
  if tat and tat > now then base = tat end
  local tokens = math.floor((now + burst * cost - base) / cost)
  local maxw = tonumber(ARGV[6])
  if tokens > maxw then tokens = maxw end
  local weight = tonumber(ARGV[5])
  if tokens >= weight then
    local nt = base + tokens * cost
    -- A number argument is sent as '%.17g' (exact) by redis.call itself.
    redis.call('SET', KEYS[1], nt, 'PX', math.ceil(nt - now) + 1)
    return {tokens, 0, sec, usec}
  end
  local wait = math.ceil(base + (weight - burst) * cost - now)
  if wait < 1 then wait = 1 end
  return {0, wait, sec, usec}
end
local function num(x) return string.format('%.17g', x) end
if op == 'circuit' then
  local cmd = ARGV[2]
  local h = redis.call('HMGET', KEYS[1], 's', 'e', 'u', 'o', 'c', 'k', 'p')
  local state = h[1] or 'closed'
  local epoch = tonumber(h[2]) or 0
  local untilT = tonumber(h[3]) or 0
  local openings = tonumber(h[4]) or 0
  local cooldown = tonumber(h[5]) or 0
  local successes = tonumber(h[6]) or 0
  local probes = h[7] or ''
  local changed = false
  local probe = 0
  local function move(to)
    state = to
    epoch = epoch + 1
    successes = 0
    probes = ''
    changed = true
  end
  if state == 'open' and now >= untilT then move('half_open') end
  if cmd == 'enter' then
    if state == 'half_open' then
      local live, count, total = {}, 0, 0
      for id, exp in string.gmatch(probes, '([^ ;]+) ([^;]+)') do
        total = total + 1
        if tonumber(exp) > now then
          count = count + 1
          live[count] = id .. ' ' .. exp
        end
      end
      if count < tonumber(ARGV[4]) then
        count = count + 1
        live[count] = ARGV[3] .. ' ' .. num(now + tonumber(ARGV[5]))
        probe = 1
      end
      if probe == 1 or count ~= total then
        probes = table.concat(live, ';')
        changed = true
      end
    end
  elseif cmd == 'trip' then
    if tonumber(ARGV[6]) == epoch and (state == 'closed' or state == 'half_open') then
      local cd = tonumber(ARGV[7])
      move('open')
      untilT = now + cd
      openings = openings + 1
      cooldown = cd
    end
  elseif cmd == 'probe' then
    if tonumber(ARGV[6]) == epoch and state == 'half_open' then
      local live, count = {}, 0
      for id, exp in string.gmatch(probes, '([^ ;]+) ([^;]+)') do
        if id ~= ARGV[3] then
          count = count + 1
          live[count] = id .. ' ' .. exp
        end
      end
      local s = successes
      if ARGV[8] == '1' then s = s + 1 end
      if s >= tonumber(ARGV[9]) then
        move('closed')
        openings = 0
        cooldown = 0
      else
        probes = table.concat(live, ';')
        successes = s
        changed = true
      end
    end
  elseif cmd == 'isolate' then
    if state ~= 'isolated' then move('isolated') end
  elseif cmd == 'reset' then
    if state ~= 'closed' or openings ~= 0 then
      move('closed')
      openings = 0
      cooldown = 0
    end
  else
    return redis.error_reply('pledge: unknown circuit command ' .. tostring(cmd))
  end
  if changed then
    redis.call('HSET', KEYS[1], 's', state, 'e', epoch, 'u', num(untilT),
      'o', openings, 'c', num(cooldown), 'k', successes, 'p', probes)
  end
  local left = 0
  if state == 'open' then
    left = math.ceil(untilT - now)
    if left < 0 then left = 0 end
  end
  return {state, epoch, left, openings, num(cooldown), probe}
elseif op == 'budget' then
  local maxr, rl, ri = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local ratio, deposits = tonumber(ARGV[5]), tonumber(ARGV[6])
  local h = redis.call('HMGET', KEYS[1], 't', 'u')
  local tokens = maxr
  if h[1] then
    local elapsed = now - tonumber(h[2])
    if elapsed < 0 then elapsed = 0 end
    tokens = tonumber(h[1]) + elapsed * rl / ri
  end
  tokens = tokens + deposits * ratio
  if tokens > maxr then tokens = maxr end
  local granted = 0
  if ARGV[7] == '1' and tokens - 1 >= -1e-9 then
    granted = 1
    tokens = tokens - 1
    if tokens < 0 then tokens = 0 end
  end
  redis.call('HSET', KEYS[1], 't', num(tokens), 'u', num(now))
  return {granted, num(tokens)}
end
return redis.error_reply('pledge: unknown operation ' .. tostring(op))
`;
