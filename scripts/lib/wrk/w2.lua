dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
    headers = { ["Authorization"] = "Bearer " .. args[1] }
    ids = read_ids(args[2])
    math.randomseed(os.time() + tid * 7919)
end
function request()
    return wrk.format("GET", "/v1/articles/" .. ids[math.random(#ids)], headers)
end
