dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
    slugs = read_ids(args[1])
    math.randomseed(os.time() + tid * 7919)
end
function request()
    return wrk.format("GET", "/content/v1/articles/" .. slugs[math.random(#slugs)])
end
