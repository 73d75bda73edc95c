-- GET of a path picked at random per request from a file of paths (one a line), with a
-- bearer token. Arguments: the token, the file.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
    headers = { ["Authorization"] = "Bearer " .. args[1] }
    paths = read_ids(args[2])
    math.randomseed(os.time() + tid * 7919)
end
function request()
    return wrk.format("GET", paths[math.random(#paths)], headers)
end
