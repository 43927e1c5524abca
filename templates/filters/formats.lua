-- Per-format shaping of the one assembled Markdown (the single source of every format).
-- The conference slides are the `slides` divs only; every other format drops them.

local function stringify_list(list)
  local out = {}
  for _, item in ipairs(list or {}) do
    out[#out + 1] = pandoc.utils.stringify(item)
  end
  return table.concat(out, " ")
end

-- Slides that fit: a slide whose text would run past the bottom of its frame is split, a
-- list between its items and a long paragraph between its sentences, the rest going on
-- slides titled "<title> (tiếp)". The text is measured in estimated lines, from what the
-- reference deck gives (pptx/reference.pptx, 13.333 x 7.5 in): the content frame is 864 x
-- 356 pt, body text 24 pt on 29 pt lines, about 80 characters a line, 4 pt between
-- paragraphs. The estimate takes 68 characters a line and 330 pt, so that bold figures and
-- wide capitals still fit (tests/test_slides_fit.py renders every slide and checks).
local SLIDE_ROOM, LINE, GAP, CHARS = 330, 29, 4, 68

local function height(blocks)
  local text = pandoc.utils.stringify(pandoc.Div(blocks))
  return LINE * math.max(1, math.ceil(utf8.len(text) / CHARS)) + GAP
end

local function has_picture_or_table(block)
  local found = block.t == "Table"
  pandoc.walk_block(pandoc.Div({ block }), {
    Image = function()
      found = true
    end,
    Table = function()
      found = true
    end,
  })
  return found
end

-- A paragraph too long for one slide, cut between sentences into paragraphs that fit.
local function sentences(para)
  local pieces, current = {}, pandoc.Inlines({})
  local inlines = para.content
  for n, inline in ipairs(inlines) do
    current:insert(inline)
    local next_inline = inlines[n + 1]
    local ends = inline.t == "Str" and inline.text:match("[%.;:]$")
    if ends and next_inline and (next_inline.t == "Space" or next_inline.t == "SoftBreak")
        and height({ pandoc.Para(current) }) > SLIDE_ROOM / 2 then
      pieces[#pieces + 1] = pandoc.Para(current)
      current = pandoc.Inlines({})
    end
  end
  if #current > 0 then
    pieces[#pieces + 1] = pandoc.Para(current)
  end
  for _, piece in ipairs(pieces) do
    while #piece.content > 0 and (piece.content[1].t == "Space" or piece.content[1].t == "SoftBreak") do
      piece.content:remove(1)
    end
  end
  return pieces
end

local function fit_slides(blocks)
  local out = pandoc.Blocks({})
  local title, used = nil, 0

  local function room_for(cost)
    if title and used > 0 and used + cost > SLIDE_ROOM then
      local continued = title:clone()
      continued.identifier = ""
      continued.content:extend({ pandoc.Space(), pandoc.Str("(tiếp)") })
      out:insert(continued)
      used = 0
    end
    used = used + cost
  end

  for _, block in ipairs(blocks) do
    if block.t == "Header" and block.level <= 2 then
      out:insert(block)
      title, used = block.level == 2 and block or nil, 0
    elseif has_picture_or_table(block) then
      out:insert(block)
      used = SLIDE_ROOM
    elseif block.t == "BulletList" or block.t == "OrderedList" then
      local items, start = pandoc.List({}), block.t == "OrderedList" and block.listAttributes.start or 1
      local function emit()
        if #items == 0 then
          return
        end
        if block.t == "OrderedList" then
          local attributes = block.listAttributes
          out:insert(pandoc.OrderedList(items, pandoc.ListAttributes(start, attributes.style, attributes.delimiter)))
          start = start + #items
        else
          out:insert(pandoc.BulletList(items))
        end
        items = pandoc.List({})
      end
      for _, item in ipairs(block.content) do
        local cost = height(item)
        if title and used > 0 and used + cost > SLIDE_ROOM then
          emit()
        end
        room_for(cost)
        items:insert(item)
      end
      emit()
    elseif block.t == "Para" or block.t == "Plain" then
      local pieces = height({ block }) > SLIDE_ROOM and sentences(block) or { block }
      for _, piece in ipairs(pieces) do
        room_for(height({ piece }))
        out:insert(piece)
      end
    else
      room_for(height({ block }))
      out:insert(block)
    end
  end
  return out
end

local function slides_only(doc)
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    if block.t == "Div" and block.classes:includes("slides") then
      blocks:extend(block.content)
    end
  end
  local meta = doc.meta
  local info = meta.cchc or {}
  meta.title = info.summary
  meta.subtitle = pandoc.Inlines(stringify_list(info.agency))
  local date = pandoc.utils.stringify(info.place or "") .. ", " .. pandoc.utils.stringify(info.date or "")
  if not info.final then
    date = "DỰ THẢO (phiên bản " .. pandoc.utils.stringify(info.revision or "") .. ") - " .. date
  end
  meta.date = pandoc.Inlines(date)
  -- a chart is a figure in a div (for numbering); the slide writer needs the bare figure
  local slides = pandoc.Pandoc(blocks, meta):walk({
    Div = function(div)
      if div.classes:includes("figure") then
        return div.content
      end
    end,
  })
  slides.blocks = fit_slides(slides.blocks)
  return slides
end

-- HTML: each appendix becomes a <section> carrying the heading's classes, so that print
-- styles can give it its own page (and a landscape one when it is wide).
local function appendix_sections(blocks)
  local out, current = pandoc.Blocks({}), nil
  for _, block in ipairs(blocks) do
    if block.t == "Header" and block.level == 1 then
      current = nil
      if block.classes:includes("appendix") then
        current = pandoc.Div({}, pandoc.Attr("", block.classes))
        out:insert(current)
      end
    end
    if current then
      current.content:insert(block)
    else
      out:insert(block)
    end
  end
  return out
end

-- A department's own text is marked (`narrative` divs). Word keeps the tool's own prose in
-- the paragraph style "Nội dung tổng hợp" (it looks like body text) and titles its charts, so
-- that a thematic report given back as a narrative is read without them; other formats just
-- drop the mark.
local GENERATED_STYLE = "Nội dung tổng hợp"
local GENERATED_TITLE = "cchc-pipeline"

local function is_narrative(block)
  return block.t == "Div" and block.classes:includes("narrative")
end

local function mark_generated(blocks)
  local out = pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    if is_narrative(block) then
      out:extend(block.content)
    elseif block.t == "Para" then
      out:insert(pandoc.Div({ block }, { ["custom-style"] = GENERATED_STYLE }))
    else
      out:insert(block:walk({
        Image = function(img)
          img.title = GENERATED_TITLE
          return img
        end,
      }))
    end
  end
  return out
end

local function unmark(blocks)
  return blocks:walk({
    Div = function(div)
      if is_narrative(div) then
        return div.content
      end
    end,
  })
end

-- Decree 30/2020: "Phần I" on its own line, the part's title in capitals under it. The
-- skeleton writes "# Phần I. TITLE {.part}" (one heading, one entry of the contents); here
-- the numeral's full stop becomes a line break, in every format.
local function part_heading(header)
  if header.level ~= 1 or not header.classes:includes("part") then
    return nil
  end
  local out, split, just_split = pandoc.Inlines({}), false, false
  for _, inline in ipairs(header.content) do
    if not split and inline.t == "Str" and inline.text:match("^[IVXLCDM]+%.$") then
      out:insert(pandoc.Str(inline.text:sub(1, -2)))
      -- typst ends a heading with its line: the writer's line break would cut the heading
      out:insert(FORMAT == "typst" and pandoc.RawInline("typst", "#linebreak()") or pandoc.LineBreak())
      split, just_split = true, true
    elseif just_split and (inline.t == "Space" or inline.t == "SoftBreak") then
      just_split = false
    else
      just_split = false
      out:insert(inline)
    end
  end
  if FORMAT:match("html") and split then
    -- HTML: the number in a block span (its own line, see report.css), so that the table of
    -- contents reads "Phần I KẾT QUẢ …" on one line
    local number, title, seen = pandoc.Inlines({}), pandoc.Inlines({}), false
    for _, inline in ipairs(out) do
      if inline.t == "LineBreak" and not seen then
        seen = true
      elseif seen then
        title:insert(inline)
      else
        number:insert(inline)
      end
    end
    out = pandoc.Inlines({ pandoc.Span(number, pandoc.Attr("", { "part-number" })), pandoc.Space() })
    out:extend(title)
  end
  header.content = out
  return header
end

-- Decree 30/2020: "./." right after the last word of the body. The skeleton closes the body
-- with a `closing` div holding "./."; its mark moves to the end of the last paragraph (or
-- list item) before it, and the div goes. A body that ends in a table or a figure keeps the
-- div (the mark on a line of its own) rather than writing it into a cell.
local CLOSING_MARK = "./."

local function close_inlines(inlines)
  local last = inlines[#inlines]
  if last and last.t == "Str" then
    local word = last.text:gsub("[%.;,:]+$", "")
    inlines[#inlines] = pandoc.Str(word .. CLOSING_MARK)
  else
    inlines:insert(pandoc.Str(CLOSING_MARK))
  end
  return inlines
end

-- Put the mark at the end of the last text of `blocks`; true when it found a place.
local function close_blocks(blocks)
  for i = #blocks, 1, -1 do
    local block = blocks[i]
    local t = block.t
    if (t == "Para" or t == "Plain") and pandoc.utils.stringify(block) ~= "" then
      block.content = close_inlines(block.content)
      blocks[i] = block
      return true
    elseif t == "Div" and not block.classes:includes("figure") then
      local content = block.content
      if close_blocks(content) then
        block.content = content
        blocks[i] = block
        return true
      end
      if #content > 0 then
        return false
      end
    elseif t == "BlockQuote" then
      local content = block.content
      if close_blocks(content) then
        block.content = content
        blocks[i] = block
        return true
      end
      return false
    elseif t == "BulletList" or t == "OrderedList" then
      local items = block.content
      local item = items[#items]
      if item and close_blocks(item) then
        items[#items] = item
        block.content = items
        blocks[i] = block
        return true
      end
      return false
    elseif t ~= "Null" and not ((t == "Para" or t == "Plain") and pandoc.utils.stringify(block) == "") then
      return false -- a table, a figure, a heading: the body does not end in running text
    end
  end
  return false
end

local function closing_mark(blocks)
  for i, block in ipairs(blocks) do
    if block.t == "Div" and block.classes:includes("closing") then
      local body = pandoc.Blocks({})
      for j = 1, i - 1 do
        body:insert(blocks[j])
      end
      if close_blocks(body) then
        for j = i + 1, #blocks do
          body:insert(blocks[j])
        end
        return body
      end
      return blocks
    end
  end
  return blocks
end

local function shape(doc)
  if FORMAT ~= "pptx" then
    doc.blocks = closing_mark(doc.blocks):walk({ Header = part_heading })
  end
  if FORMAT == "docx" then
    doc.blocks = mark_generated(doc.blocks)
  else
    doc.blocks = unmark(doc.blocks)
  end
  if FORMAT == "pptx" then
    return slides_only(doc)
  end
  if FORMAT:match("html") then
    doc.blocks = appendix_sections(doc.blocks)
  end
  doc.blocks = doc.blocks:filter(function(block)
    return not (block.t == "Div" and block.classes:includes("slides"))
  end)
  return doc
end

-- Last line of defence for containment: an image must be a relative path inside the build
-- folder. URLs, absolute paths and ".." are replaced by their description, so pandoc never
-- fetches anything from the network or embeds a file from elsewhere on the machine.
local function is_contained(src)
  if src:match("^%a[%w+.-]*:") or src:match("^/") or src:match("^\\") then
    return false
  end
  for part in src:gmatch("[^/\\]+") do
    if part == ".." then
      return false
    end
  end
  return true
end

local function contain(img)
  if not is_contained(img.src) then
    return pandoc.Emph(img.caption)
  end
end

return {
  { Image = contain },
  { Pandoc = shape },
}
