-- pandoc reading narratives one after another in one process (`pandoc lua pandoc_service.lua`).
--
-- A narrative read by the pandoc command line costs most of its time in pandoc's start and
-- its Lua set-up; a build reads one per department, then reads its parts again to measure
-- them. This script reads one JSON request per line on stdin and answers each with one JSON
-- line on stdout, {"output": "..."} or {"error": "..."}:
--   {"op": "narrative", "path", "from", "writer", "media", "word", "dir"}: what
--     `pandoc PATH --from FROM --to WRITER --metadata cchc-media=MEDIA` writes, and for Word
--     (`word`) also `--extract-media=. --track-changes=all` with DIR as the working folder;
--   {"op": "json", "path", "from"}: what `pandoc PATH --from FROM --to json` writes;
--   {"op": "convert", "path", "from", "to", "filters", "dir", "epoch", "output", and
--     "reference_doc", "slide_level", "template" when given}: what
--     `pandoc PATH --from FROM --to TO --lua-filter=F... --output OUTPUT` run in DIR with
--     SOURCE_DATE_EPOCH=EPOCH (a string) writes (with --reference-doc, --slide-level, --template);
--     the answer is its warnings, one a line.
-- The writer is loaded afresh for every narrative, so that nothing of one (its problems)
-- is left for the next. A document converted to several formats is read once: the syntax
-- trees of the last eight documents read are kept, by their text's digest, while their
-- texts add up to at most 1 MB (the report's 114 KB tree holds about 3 MB), and each format
-- filters a copy. The end of input ends the process.

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

local KEPT_TREES = 8 -- as pandoc_service.py's KEPT_TREES
local KEPT_TEXT = 1024 * 1024 -- bytes of source text whose trees are kept, at most
local trees = {} -- {key, syntax tree, text size} of the last documents read, newest first

local function tree(request)
  local text = read_all(request.path)
  local key = request.from .. " " .. pandoc.utils.sha1(text)
  for _, entry in ipairs(trees) do
    if entry[1] == key then
      return entry[2]
    end
  end
  -- as the command line reads for a standalone output (every format converted here is)
  local doc = pandoc.read(text, request.from, { standalone = true })
  table.insert(trees, 1, { key, doc, #text })
  local kept = 0
  for n, entry in ipairs(trees) do
    kept = kept + entry[3]
    if n > KEPT_TREES or kept > KEPT_TEXT then
      for m = #trees, n, -1 do
        trees[m] = nil
      end
      break
    end
  end
  return doc
end

local function writer_options(request)
  local options = {}
  if request.reference_doc then
    options.reference_doc = request.reference_doc
  end
  if request.slide_level then
    options.slide_level = request.slide_level
  end
  if request.template then
    options.template = pandoc.template.compile(read_all(request.template), request.template)
  end
  return pandoc.WriterOptions(options)
end

-- each filter as --lua-filter runs it: FORMAT, PANDOC_WRITER_OPTIONS and PANDOC_SCRIPT_FILE
-- set, its own globals, and the modules it requires loaded afresh
local BUILT_IN = {}
for name in pairs(package.loaded) do
  BUILT_IN[name] = true
end

local function filtered(doc, request, options)
  for _, path in ipairs(request.filters) do
    local globals = { FORMAT = request.to, PANDOC_WRITER_OPTIONS = options, PANDOC_SCRIPT_FILE = path }
    doc = pandoc.utils.run_lua_filter(doc, path, setmetatable(globals, { __index = _G }))
    for name in pairs(package.loaded) do
      if not BUILT_IN[name] then
        package.loaded[name] = nil
      end
    end
  end
  return doc
end

local function convert(request)
  pandoc.mediabag.empty()
  local options = writer_options(request)
  local environment = pandoc.system.environment()
  environment.SOURCE_DATE_EPOCH = request.epoch
  local messages, output = pandoc.log.silence(function()
    return pandoc.system.with_environment(environment, function()
      return pandoc.system.with_working_directory(request.dir, function()
        return pandoc.write(filtered(tree(request):clone(), request, options), request.to, options)
      end)
    end)
  end)
  local handle = assert(io.open(request.output, "wb"))
  handle:write(output)
  handle:close()
  local warnings = {}
  for _, message in ipairs(messages) do
    local fields = pandoc.json.decode(pandoc.json.encode(message), false)
    if fields.verbosity ~= "INFO" then
      warnings[#warnings + 1] = "[" .. tostring(fields.verbosity) .. "] " .. tostring(fields.pretty)
    end
  end
  return table.concat(warnings, "\n")
end

local OPS = { narrative = narrative, json = syntax_tree, convert = convert }

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
