-- W1: drafts of ~3 KB, each with a title of its own. Arguments: a token, a run id.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local counter = 0
function init(args)
    headers = { ["Authorization"] = "Bearer " .. args[1], ["Content-Type"] = "application/json" }
    run = args[2]
    local para = "The city council voted on Tuesday to extend the opening hours of the central library, after a year in which visits rose by a third. The grant that pays for the extra staff runs for two years; the council says it will look for permanent money in the next budget."
    text = para
    for _ = 1, 10 do text = text .. "\\n\\n" .. para end
end
function request()
    counter = counter + 1
    local body = '{"title": "API bench draft ' .. run .. ' ' .. tid .. ' ' .. counter .. '", "dek": "A draft made by wrk", "body": "'
        .. text .. '", "section": "culture", "tags": ["bench"], "sources": [{"url": "https://example.org/source/' .. counter
        .. '", "outlet": "Example Wire", "title": "Source"}]}'
    return wrk.format("POST", "/v1/articles", headers, body)
end
