-- pandoc reading narratives one after another in one process (`pandoc lua pandoc_service.lua`).
--
-- A narrative read by the pandoc command line costs most of its time in pandoc's start and
-- its Lua set-up; a build reads one per department, then reads its parts again to measure
-- them. This script reads one JSON request per line on stdin and answers each with one JSON
-- line on stdout, {"output": "..."} or {"error": "..."}:
--   {"op": "narrative", "path", "from", "writer", "media", "word", "dir"}: what
--     `pandoc PATH --from FROM --to WRITER --metadata cchc-media=MEDIA` writes, and for Word
--     (`word`) also `--extract-media=. --track-changes=all` with DIR as the working folder;
--   {"op": "json", "path", "from"}: what `pandoc PATH --from FROM --to json` writes.
-- The writer is loaded afresh for every narrative, so that nothing of one (its problems)
-- is left for the next. The end of input ends the process.

local function read_all(path)
  local handle = assert(io.open(path, "rb"))
  local data = handle:read("a")
  handle:close()
  return data
end

-- as the command line's --extract-media=. run in DIR: every picture of the media bag written
-- under DIR, and each image that names one pointed at "./" and its path
local function extract_media(doc, dir)
  local items = pandoc.mediabag.list()
  if #items == 0 then
    return doc
  end
  pandoc.mediabag.write(dir)
  local known = {}
  for _, item in ipairs(items) do
    known[item.path] = true
  end
  return doc:walk({
    Image = function(img)
      if known[img.src] then
        img.src = "./" .. img.src
        return img
      end
    end,
  })
end

local function narrative(request)
  pandoc.mediabag.empty()
  local options = {}
  if request.word then
    options.track_changes = "all"
  end
  local doc = pandoc.read(read_all(request.path), request.from, options)
  if request.word then
    doc = extract_media(doc, request.dir)
  end
  doc.meta["cchc-media"] = request.media
  local writer = setmetatable({}, { __index = _G })
  assert(loadfile(request.writer, "t", writer))()
  return writer.Writer(doc, pandoc.WriterOptions({}))
end

local function syntax_tree(request)
  return pandoc.write(pandoc.read(read_all(request.path), request.from), "json")
end

local OPS = { narrative = narrative, json = syntax_tree }

for line in io.stdin:lines() do
  local ok, request = pcall(pandoc.json.decode, line, false)
  local reply
  if not ok or type(request) ~= "table" or OPS[request.op] == nil then
    reply = { error = "bad request" }
  else
    local done, result = pcall(OPS[request.op], request)
    if done then
      reply = { output = result }
    else
      reply = { error = tostring(result) }
    end
  end
  io.stdout:write(pandoc.json.encode(reply), "\n")
  io.stdout:flush()
  pandoc.mediabag.empty()
  collectgarbage()
end
