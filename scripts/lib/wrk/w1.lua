-- W1: drafts, each with a title of its own. Arguments: a token, a run id, and optionally a
-- file of drafts (scripts/lib/bench-scale/w1-drafts.sql: a title, a tab, the rest of the
-- request's JSON object), taken in turn; without it, every draft is the same ~3 KB text.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local counter = 0
function init(args)
    headers = { ["Authorization"] = "Bearer " .. args[1], ["Content-Type"] = "application/json" }
    run = args[2]
    if args[3] then
        drafts = {}
        for _, line in ipairs(read_ids(args[3])) do
            local tab = line:find("\t", 1, true)
            drafts[#drafts + 1] = { title = line:sub(1, tab - 1), rest = line:sub(tab + 1) }
        end
    end
    local para = "The city council voted on Tuesday to extend the opening hours of the central library, after a year in which visits rose by a third. The grant that pays for the extra staff runs for two years; the council says it will look for permanent money in the next budget."
    text = para
    for _ = 1, 10 do text = text .. "\\n\\n" .. para end
end
function request()
    counter = counter + 1
    local source = '"sources": [{"url": "https://example.org/source/' .. counter .. '", "outlet": "Example Wire", "title": "Source"}]}'
    local body
    if drafts then
        local draft = drafts[(counter + tid * 7919) % #drafts + 1]
        body = '{"title": "' .. draft.title .. ' (' .. run .. ' ' .. tid .. ' ' .. counter .. ')", ' .. draft.rest .. ', ' .. source
    else
        body = '{"title": "API bench draft ' .. run .. ' ' .. tid .. ' ' .. counter .. '", "dek": "A draft made by wrk", "body": "'
            .. text .. '", "section": "culture", "tags": ["bench"], ' .. source
    end
    return wrk.format("POST", "/v1/articles", headers, body)
end
