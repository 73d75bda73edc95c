-- W3: transitions. Each thread cycles over its own share of the drafts in args[2]: spike on
-- odd passes, restore on even ones. A share is far larger than a thread's connections, so an
-- article's previous transition has completed before its next one is sent.
-- Arguments: a token, the file of draft ids, the number of wrk threads.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local i = 0
function init(args)
    headers = { ["Authorization"] = "Bearer " .. args[1], ["Content-Type"] = "application/json" }
    local all = read_ids(args[2])
    local threads = tonumber(args[3])
    ids = {}
    for k = 1, #all do if (k - 1) % threads == tid then ids[#ids + 1] = all[k] end end
    -- wrk calls thread 0's request() once before the run to check it (script_verify_request)
    -- and does not send what it returns: start that thread one step back, or its first
    -- article's spike is skipped and its restore, half a cycle later, is refused (409).
    if tid == 0 then i = -1 end
end
function request()
    local id = ids[(i % #ids) + 1]
    local spike = math.floor(i / #ids) % 2 == 0
    i = i + 1
    local body = spike and '{"action": "spike", "reason": "benchmark"}' or '{"action": "restore"}'
    return wrk.format("POST", "/v1/articles/" .. id .. "/transitions", headers, body)
end
