dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
    slugs, tags = {}, {}
    for line in io.lines(args[1]) do
        local slug, tag = line:match("^(%S+) (%S+)$")
        if slug then slugs[#slugs + 1] = slug; tags[#tags + 1] = tag end
    end
    math.randomseed(os.time() + tid * 7919)
end
function request()
    local i = math.random(#slugs)
    return wrk.format("GET", "/content/v1/articles/" .. slugs[i], { ["If-None-Match"] = tags[i] })
end
