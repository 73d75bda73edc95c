dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
    headers = { ["Cookie"] = args[1] }
    ids = read_ids(args[2])
    suffix = args[3]
    math.randomseed(os.time() + tid * 7919)
end
function request()
    return wrk.format("GET", "/desk/articles/" .. ids[math.random(#ids)] .. suffix, headers)
end
