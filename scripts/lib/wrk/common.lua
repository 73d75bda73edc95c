-- Shared by the wrk scripts of scripts/bench and scripts/bench-scale: each thread learns its
-- number (tid), and read_ids reads a file of one value a line.
local next_thread = 0
function setup(thread)
    thread:set("tid", next_thread)
    next_thread = next_thread + 1
end
function read_ids(path)
    local ids = {}
    for line in io.lines(path) do if #line > 0 then ids[#ids + 1] = line end end
    return ids
end
