-- Custom pandoc writer for a department's narrative (Markdown or Word).
--
-- Returns the document as a flat list of blocks, each with what the outline recogniser
-- needs (cchc_pipeline/intake/outline.py) and its text as safe Markdown:
--   {"blocks": [{"kind": "header|para|item|list|table|figure|other", "level": n,
--                "style": "Word paragraph style", "text": "plain text", "bold": bool,
--                "caps": bool, "auto": {"style": "UpperRoman", "delim": "Period", "number": 2},
--                "para": n, "generated": bool, "markdown": "...", "images": [...],
--                "cells": [[...]]}],
--    "problems": [{"kind": "...", "target": "...", "block": n}]}
-- The Python side decides which blocks are headings, which part each belongs to and what is
-- the document's framing (header, signature, recipients). Making the text safe stays here:
-- raw blocks are dropped, divs and spans are unwrapped (so no `slides` or other class can be
-- injected), deeper headings become bold lead-in paragraphs, images and links must stay
-- inside the submission folder. Tracked changes are accepted and comments dropped, each
-- reported at its block. Paragraphs this tool generated in its own documents (the style
-- "Nội dung tổng hợp", charts titled "cchc-pipeline", tables under "Tên biểu") are marked
-- `generated` so that a thematic report given back as a narrative yields only the
-- department's own text.
-- Metadata in: `cchc-media` (prefix for image paths in the report).

local GENERATED_STYLE = "Nội dung tổng hợp"
local GENERATED_TITLE = "cchc-pipeline"
local TABLE_STYLES = { ["Tên biểu"] = true, ["Đơn vị tính"] = true }
local MARKDOWN = "markdown-raw_html-raw_attribute-raw_tex-fenced_divs-bracketed_spans-native_divs-native_spans-citations"

local problems = {}
local current_block = 0

local function problem(kind, target)
  problems[#problems + 1] = { kind = kind, target = target, block = current_block }
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

-- Tracked changes (pandoc's --track-changes=all) and comments: accept and drop, and say so.
local revisions = {
  Span = function(span)
    if span.classes:includes("deletion") then
      problem("revision", pandoc.utils.stringify(span.content))
      return {}
    elseif span.classes:includes("insertion") then
      problem("revision", "")
      return span.content
    elseif span.classes:includes("comment-start") then
      problem("comment", pandoc.utils.stringify(span.content))
      return {}
    elseif span.classes:includes("comment-end") or span.classes:includes("paragraph-insertion")
        or span.classes:includes("paragraph-deletion") then
      return {}
    end
  end,
}

local function make_filter(prefix, images)
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
      -- the report numbers its figures itself: a "Hình 3: " taken back from a built
      -- document would be numbered twice
      if img.caption[1] and img.caption[1].t == "Str" and img.caption[1].text == "Hình" then
        local second = img.caption[3]
        if second and second.t == "Str" and second.text:match("^%d+:$") then
          img.caption = pandoc.Inlines({ table.unpack(img.caption, 5) })
        end
      end
      return img
    end,
    Link = function(link)
      if link.target:match("^#") then
        return link.content
      end
      problem("link", link.target)
      return link.content
    end,
    Figure = function(fig)
      -- the picture alone (its description is its caption): the report numbers figures again
      local found = nil
      fig:walk({
        Image = function(img)
          found = found or img
        end,
      })
      if found then
        return pandoc.Para({ found })
      end
    end,
  }
end

local unwrap = {
  Span = function(span)
    return span.content
  end,
}

local function all_strong(inlines)
  local seen = false
  for _, inline in ipairs(inlines) do
    if inline.t == "Strong" then
      seen = true
    elseif inline.t ~= "Space" and inline.t ~= "SoftBreak" and inline.t ~= "LineBreak" then
      return false
    end
  end
  return seen
end

local function has_generated_image(block)
  local found = false
  pandoc.Div({ block }):walk({
    Image = function(img)
      if img.title == GENERATED_TITLE then
        found = true
      end
    end,
  })
  return found
end

-- Top-level blocks with the Word paragraph style each carries (docx+styles wraps every
-- styled paragraph in a div with a custom-style attribute).
local function flatten(blocks, style, out)
  for _, block in ipairs(blocks) do
    if block.t == "Div" then
      flatten(block.content, block.attributes["custom-style"] or style, out)
    else
      out[#out + 1] = { block = block, style = style }
    end
  end
  return out
end

local function plain_cells(tbl)
  local rows = {}
  local function add(row)
    local cells = {}
    for _, cell in ipairs(row.cells) do
      -- one line per paragraph or line break: a header cell is several lines
      local lines = {}
      for _, block in ipairs(cell.contents) do
        local text = pandoc.utils.stringify(block:walk({
          LineBreak = function()
            return pandoc.Str("\n")
          end,
        }))
        lines[#lines + 1] = text
      end
      cells[#cells + 1] = table.concat(lines, "\n")
    end
    rows[#rows + 1] = cells
  end
  for _, row in ipairs(tbl.head.rows) do
    add(row)
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      add(row)
    end
  end
  return rows
end

-- An ordered list of Word's automatic numbering whose items are each one short paragraph:
-- each item may be a heading whose number is not in its text.
local function heading_items(list)
  for _, item in ipairs(list.content) do
    if #item ~= 1 or (item[1].t ~= "Para" and item[1].t ~= "Plain") then
      return false
    end
    if #pandoc.utils.stringify(item[1]) > 200 then
      return false
    end
  end
  return true
end

function Writer(doc, opts)
  local prefix = pandoc.utils.stringify(doc.meta["cchc-media"] or "media")
  local wopts = pandoc.WriterOptions({ wrap_text = "none" })
  local out = {}
  local para = 0

  local function emit(block, style, extra)
    current_block = #out + 1
    block = pandoc.Div({ block }):walk(revisions).content[1]
    local entry = extra or {}
    entry.style = style or ""
    entry.para = para + 1
    entry.generated = (style == GENERATED_STYLE) or has_generated_image(block)
    if block == nil then
      entry.kind = "other"
      entry.text = ""
      entry.markdown = ""
      entry.images = {}
      out[#out + 1] = entry
      return
    end
    entry.kind = entry.kind or ((block.t == "Header" and "header") or ((block.t == "Para" or block.t == "Plain") and "para")
      or (block.t == "Table" and "table") or (block.t == "Figure" and "figure")
      or ((block.t == "BulletList" or block.t == "OrderedList") and "list") or "other")
    if block.t == "Header" then
      entry.level = block.level
    end
    local inlines = (block.t == "Header" or block.t == "Para" or block.t == "Plain") and block.content or nil
    entry.text = pandoc.utils.stringify(block)
    entry.bold = inlines ~= nil and all_strong(pandoc.Plain(inlines):walk(unwrap).content)
    entry.caps = entry.text:match("%a") ~= nil and pandoc.text.upper(entry.text) == entry.text
    if block.t == "Table" then
      entry.cells = plain_cells(block)
    end
    local images = {}
    local body = pandoc.Pandoc({ block }):walk({ Div = function(d) return d.content end })
    body = body:walk(unwrap):walk(make_filter(prefix, images))
    local markdown = pandoc.write(body, MARKDOWN, wopts)
    -- footnotes are numbered per written block: make their labels unique in the document
    entry.markdown = markdown:gsub("%[%^(%w+)%]", "[^b" .. current_block .. "n%1]")
    entry.images = images
    if block.t == "BulletList" or block.t == "OrderedList" then
      para = para + #block.content
    else
      para = para + 1
    end
    out[#out + 1] = entry
  end

  for _, item in ipairs(flatten(doc.blocks, nil, {})) do
    local block, style = item.block, item.style
    if block.t == "Para" and #block.content == 0 then
      para = para + 1
    elseif block.t == "OrderedList" and heading_items(block) then
      local attrs = block.listAttributes
      for n, content in ipairs(block.content) do
        emit(content[1], style, {
          kind = "item",
          auto = { style = attrs.style, delim = attrs.delimiter, number = attrs.start + n - 1 },
        })
      end
    else
      emit(block, style, nil)
    end
  end
  -- a table right under a "Tên biểu" / "Đơn vị tính" title is one this tool generated
  local after_title = false
  for _, entry in ipairs(out) do
    if TABLE_STYLES[entry.style] then
      entry.generated = true
      after_title = true
    elseif entry.kind == "table" and after_title then
      entry.generated = true
      after_title = false
    else
      after_title = false
    end
  end
  return pandoc.json.encode({ blocks = out, problems = problems })
end
