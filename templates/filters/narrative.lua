-- Custom pandoc writer for a department's narrative (Markdown or Word).
--
-- Splits the document into parts at its top-level headings and returns JSON:
--   {"parts": [{"title": "...", "markdown": "..."}], "preamble": bool,
--    "images": ["relative/src", ...], "problems": [{"kind": "...", "target": "...", "part": "..."}]}
-- and makes the text safe to place in the report: raw blocks are dropped, divs and spans are
-- unwrapped (so no `slides` or other class can be injected), deeper headings become bold
-- lead-in paragraphs, images and links must stay inside the submission folder.
-- Metadata in: `cchc-media` (prefix for image paths in the report).

local problems = {}
local images = {}
local current_part = ""

local function problem(kind, target)
  problems[#problems + 1] = { kind = kind, target = target, part = current_part }
end

local function outside(src)
  if src:match("^%a[%w+.-]*:") then
    return "url"
  end
  if src:match("^[/\\]") or src:match("^%a:[/\\]") then
    return "absolute"
  end
  for piece in src:gmatch("[^/\\]+") do
    if piece == ".." then
      return "parent"
    end
  end
  return nil
end

local function make_filter(prefix)
  return {
    RawBlock = function(raw)
      problem("raw", raw.format)
      return {}
    end,
    RawInline = function(raw)
      problem("raw", raw.format)
      return {}
    end,
    Header = function(header)
      return pandoc.Para({ pandoc.Strong(header.content) })
    end,
    Image = function(img)
      local why = outside(img.src)
      if why then
        problem("image-" .. why, img.src)
        return img.caption
      end
      local src = img.src:gsub("\\", "/"):gsub("^%./", "")
      images[#images + 1] = src
      img.src = prefix .. "/" .. src
      img.attr = pandoc.Attr("", {}, img.attr.attributes)
      return img
    end,
    Link = function(link)
      if link.target:match("^#") then
        return link.content
      end
      problem("link", link.target)
      return link.content
    end,
  }
end

local unwrap = {
  Div = function(div)
    return div.content
  end,
  Span = function(span)
    return span.content
  end,
}

function Writer(doc, opts)
  local prefix = pandoc.utils.stringify(doc.meta["cchc-media"] or "media")
  doc = doc:walk(unwrap)
  local top = 6
  for _, block in ipairs(doc.blocks) do
    if block.t == "Header" and block.level < top then
      top = block.level
    end
  end
  local parts = {}
  local preamble = false
  local current = nil
  for _, block in ipairs(doc.blocks) do
    if block.t == "Header" and block.level == top then
      current = { title = pandoc.utils.stringify(block.content), blocks = pandoc.Blocks({}) }
      parts[#parts + 1] = current
    elseif current == nil then
      if not (block.t == "Para" and #block.content == 0) then
        preamble = true
      end
    else
      current.blocks:insert(block)
    end
  end
  local out = { parts = {}, preamble = preamble, images = images, problems = problems }
  local wopts = pandoc.WriterOptions({ wrap_text = "none" })
  for _, part in ipairs(parts) do
    current_part = part.title
    local body = pandoc.Pandoc(part.blocks):walk(make_filter(prefix))
    out.parts[#out.parts + 1] = {
      title = part.title,
      markdown = pandoc.write(body, "markdown-raw_html-raw_attribute-raw_tex-fenced_divs-bracketed_spans-native_divs-native_spans", wopts),
    }
  end
  out.images = images
  out.problems = problems
  return pandoc.json.encode(out)
end
