-- wrk script for bench/run.py: `wrk -s bench/wrk.lua <url> -- <mode> <key>[,<key>...] [file]`
--   verify   GET one escrow by payment token (file: the token)
--   create   POST a two-milestone escrow
--   pay      pay a fresh escrow per request (file: one escrow id per line)
--   confirm  confirm a fresh milestone per request (file: "escrowId milestoneId" lines)
--   flow     fresh escrows end to end: create -> pay -> confirm x2 -> verify, many in flight;
--            each step is issued only after the answer it depends on (read from the body);
--            given several comma-separated keys, each new escrow takes the next key in turn
--            (the threads start at different keys) and its later steps keep that key: many
--            CI jobs' namespaces at once. Its purpose is then "bench<n>", n the key's place,
--            which the created answer echoes (answers on different connections may overtake
--            each other, so that is how an answer is matched to its key). The other modes,
--            and flow with one key, use the first key and purpose "bench".
--   mix      the same five request kinds in the same proportions with fixed ids, for servers
--            without state (the bare-Flask ceiling and Prism): nothing is read back
--   trivial  GET / (the load generator's own ceiling)
-- done() prints one JSON line: requests, seconds, errors, non-2xx, latency percentiles (us).

local SELLER, BUYER = "665f1b2c9a1e4d0012ab3c30", "665f1b2c9a1e4d0012ab3c31"
local CREATE_BODY = '{"amount":2000,"purpose":"bench","whoPays":"buyer","milestones":'
  .. '[{"title":"a","amount":1000},{"title":"b","amount":1000}]}'
local threads, counter = {}, 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local mode, key, keys, keyturn, items, cursor, queue, pending, fixed = nil, nil, {}, 0, {}, 0, {}, {}, {}

local function headers(customer, k)
  local h = { ["Authorization"] = "Bearer " .. (k or key), ["Content-Type"] = "application/json" }
  if customer then h["customer-id"] = customer end
  return h
end

-- flow: the place of the key the next escrow is created with (nil when there is one key)
local function next_key()
  if #keys < 2 then return nil end
  keyturn = keyturn % #keys + 1
  return keyturn
end

local CREATE_HEAD, CREATE_TAIL = CREATE_BODY:match('^(.-"purpose":"bench)(".*)$')
local function create(n)
  local body = n and (CREATE_HEAD .. n .. CREATE_TAIL) or CREATE_BODY
  return wrk.format("POST", "/v1/escrow/milestone/create", headers(SELLER, keys[n or 1]), body)
end
local function verify(token, k) return wrk.format("GET", "/v1/escrow/verify/" .. token, headers(nil, k)) end
local function pay(id, k)
  local body = '{"gateway":"WALLET","transactionType":"ESCROW","reference":"bench' .. id
    .. '","escrowDetails":{"escrowId":"' .. id .. '"}}'
  return wrk.format("POST", "/v1/payment/escrow", headers(BUYER, k), body)
end
local function confirm(id, milestone, k)
  return wrk.format("POST", "/v1/escrow/milestone/confirm/" .. id .. "/" .. milestone, headers(BUYER, k))
end

function init(args)
  mode = args[1]
  for k in args[2]:gmatch("[^,]+") do table.insert(keys, k) end
  key = keys[1]
  keyturn = (tid * math.floor(#keys / counter_total())) % #keys  -- threads start apart
  if args[3] then
    local n = 0
    for line in io.lines(args[3]) do
      if mode == "verify" or n % counter_total() == tid then table.insert(items, line) end
      n = n + 1
    end
  end
  if mode == "mix" then
    local id, milestone = "665f1b2c9a1e4d0012ab3c50", "665f1b2c9a1e4d0012ab3c51"
    fixed = { create(), pay(id), confirm(id, milestone), confirm(id, milestone), verify("PY_benchtoken1") }
  end
end

function counter_total() return tonumber(os.getenv("WRK_THREADS") or "1") end

local function next_item()
  cursor = cursor % #items + 1
  return items[cursor]
end

function request()
  if mode == "verify" then return verify(items[1] or "PY_benchtoken1")
  elseif mode == "create" then return create()
  elseif mode == "pay" then return pay(next_item())
  elseif mode == "confirm" then
    local id, milestone = next_item():match("(%x+) (%x+)")
    return confirm(id, milestone)
  elseif mode == "mix" then
    cursor = cursor % #fixed + 1
    return fixed[cursor]
  elseif mode == "flow" then
    local step = table.remove(queue, 1)
    if step then return step end
    return create(next_key())
  end
  return wrk.format("GET", "/")
end

local shown = 0
function response(status, hdrs, body)
  if status >= 300 and os.getenv("WRK_DEBUG") and shown < 5 then
    shown = shown + 1
    io.stderr:write(status .. " " .. body:sub(1, 200) .. "\n")
  end
  if mode ~= "flow" or status >= 300 then return end
  if status == 201 then  -- created: remember it, pay it
    local id = body:match('"id":%s*"(%x+)"')
    local token = body:match('"paymentToken":%s*"([%w_]+)"')
    local list = body:match('"milestones":%s*(%b[])') or ""
    local milestones = {}
    for m in list:gmatch('"id":%s*"(%x+)"') do table.insert(milestones, m) end
    local k = keys[tonumber(body:match('"purpose":%s*"bench(%d+)"') or "1")]
    pending[id] = { token = token, milestones = milestones, left = #milestones, key = k }
    table.insert(queue, pay(id, k))
    return
  end
  local reference = body:find("Payment intent verified", 1, true) and body:match('"reference":%s*"bench(%x+)"')
  if reference and pending[reference] then  -- paid: confirm every milestone
    local escrow = pending[reference]
    for _, m in ipairs(escrow.milestones) do table.insert(queue, confirm(reference, m, escrow.key)) end
    return
  end
  if body:find("Milestone confirmed", 1, true) then
    local id = body:match('"id":%s*"(%x+)"')
    local escrow = pending[id]
    if escrow then
      escrow.left = escrow.left - 1
      if escrow.left == 0 then  -- closed: read it back once, forget it
        table.insert(queue, verify(escrow.token, escrow.key))
        pending[id] = nil
      end
    end
  end
end

function done(summary, latency, requests)
  local p = function(q) return latency:percentile(q) end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"errors":%d,"non2xx":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, p(50), p(90), p(99), latency.max))
end
