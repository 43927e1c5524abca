-- The official form of the document (Decree 30/2020/NĐ-CP) for DOCX and Typst (PDF).
--
-- The Markdown marks the parts of the form with divs (heading, title, signature,
-- appendix-title, table-title, table-unit, figure, draft, closing, placeholder) and carries
-- the header and signature texts as metadata (`cchc`). This filter turns them into what each
-- format needs: borderless two-column tables and named paragraph styles in Word, grids in
-- Typst. HTML keeps the divs and is styled by its CSS. Text from the metadata is escaped for
-- the target (XML, or Typst string literals); nothing is taken from it as markup.

local stringify = pandoc.utils.stringify
local meta = {}
local landscape = false

local function list(value)
  local out = {}
  if value == nil then
    return out
  end
  if type(value) == "table" and value.t == nil and #value > 0 then
    for _, item in ipairs(value) do
      out[#out + 1] = stringify(item)
    end
  elseif stringify(value) ~= "" then
    out[1] = stringify(value)
  end
  return out
end

local function field(name)
  return stringify(meta[name] or "")
end

-- ---------------------------------------------------------------- Word (OpenXML) helpers

local function xml(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- A paragraph with direct formatting: opts = {bold, italic, size (pt), align, after (pt),
-- before (pt), indent (twentieths of a point, both sides)}.
local function wpara(text, opts)
  local ppr = '<w:pStyle w:val="Compact"/><w:keepNext/>'
  ppr = ppr .. string.format('<w:spacing w:before="%d" w:after="%d"/>',
    (opts.before or 0) * 20, (opts.after or 0) * 20)
  if opts.indent then
    ppr = ppr .. string.format('<w:ind w:left="%d" w:right="%d" w:firstLine="0"/>',
      opts.indent, opts.indent)
  elseif opts.left then
    ppr = ppr .. string.format('<w:ind w:left="%d" w:firstLine="0"/>', opts.left)
  else
    ppr = ppr .. '<w:ind w:firstLine="0"/>'
  end
  ppr = ppr .. string.format('<w:jc w:val="%s"/>', opts.align or "center")
  local rpr = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>'
  if opts.bold then
    rpr = rpr .. "<w:b/><w:bCs/>"
  end
  if opts.italic then
    rpr = rpr .. "<w:i/><w:iCs/>"
  end
  local half = math.floor((opts.size or 14) * 2)
  rpr = rpr .. string.format('<w:sz w:val="%d"/><w:szCs w:val="%d"/>', half, half)
  return string.format('<w:p><w:pPr>%s</w:pPr><w:r><w:rPr>%s</w:rPr><w:t xml:space="preserve">%s</w:t></w:r></w:p>',
    ppr, rpr, xml(text))
end

-- A short horizontal rule: an empty paragraph with a bottom border, indented on both sides
-- so that the rule is `width` cm long and centred in a space `space` cm wide.
local function wrule(width, space)
  local indent = math.floor((space - width) / 2 * 567)
  return string.format('<w:p><w:pPr><w:pStyle w:val="Compact"/><w:keepNext/>'
    .. '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
    .. '<w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/>'
    .. '<w:ind w:left="%d" w:right="%d" w:firstLine="0"/></w:pPr>'
    .. '<w:r><w:rPr><w:sz w:val="4"/></w:rPr><w:t xml:space="preserve"> </w:t></w:r></w:p>', indent, indent)
end

-- A borderless table of one row and two cells (widths in twentieths of a point).
local function wtable(left, right, left_width, right_width)
  local cell = '<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc>'
  return '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/>'
    .. '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
    .. '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
    .. '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
    .. '<w:tblLook w:val="0000"/></w:tblPr>'
    .. string.format('<w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid>', left_width, right_width)
    .. "<w:tr>" .. string.format(cell, left_width, left) .. string.format(cell, right_width, right)
    .. "</w:tr></w:tbl>"
end

local CM = 567 -- twentieths of a point per centimetre

-- ---------------------------------------------------------------- Typst helpers

local function tstr(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

-- A centred (or aligned) line of text in Typst code mode.
local function tline(text, opts)
  local args = { string.format("size: %gpt", opts.size or 14) }
  if opts.bold then
    args[#args + 1] = 'weight: "bold"'
  end
  if opts.italic then
    args[#args + 1] = 'style: "italic"'
  end
  return string.format("align(%s, text(%s)[#%s])", opts.align or "center", table.concat(args, ", "), tstr(text))
end

local function tstack(lines)
  return "stack(spacing: 0.45em, " .. table.concat(lines, ", ") .. ")"
end

local function tinline(inlines)
  return pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst")
end

-- ---------------------------------------------------------------- the form's parts

local function number_line()
  local number = field("number")
  if number == "" then
    number = "      "
  end
  return "Số: " .. number .. "/" .. field("symbol")
end

local function heading_block()
  local parent, agency = list(meta.parent), list(meta.agency)
  local motto = "Độc lập - Tự do - Hạnh phúc"
  local date = field("place") .. ", " .. field("date")
  if FORMAT == "docx" then
    local left = {}
    for _, line in ipairs(parent) do
      left[#left + 1] = wpara(line, { size = 13 })
    end
    for _, line in ipairs(agency) do
      left[#left + 1] = wpara(line, { size = 13, bold = true })
    end
    left[#left + 1] = wrule(2.2, 6.2)
    left[#left + 1] = wpara(number_line(), { size = 13, before = 6 })
    local right = {
      wpara("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", { size = 13, bold = true }),
      wpara(motto, { size = 14, bold = true }),
      wrule(6.2, 9.8),
      wpara(date, { size = 14, italic = true, before = 6 }),
    }
    return pandoc.RawBlock("openxml", wtable(table.concat(left), table.concat(right), math.floor(6.2 * CM), math.floor(9.8 * CM)))
  end
  local left = {}
  for _, line in ipairs(parent) do
    left[#left + 1] = tline(line, { size = 13 })
  end
  for _, line in ipairs(agency) do
    left[#left + 1] = tline(line, { size = 13, bold = true })
  end
  left[#left + 1] = "align(center, line(length: 35%, stroke: 0.6pt))"
  left[#left + 1] = tline(number_line(), { size = 13 })
  local right = {
    tline("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", { size = 13, bold = true }),
    tline(motto, { size = 14, bold = true }),
    "align(center, line(length: 62%, stroke: 0.6pt))",
    tline(date, { size = 14, italic = true }),
  }
  return pandoc.RawBlock("typst", string.format(
    "#block(width: 100%%, grid(columns: (38%%, 62%%), column-gutter: 0pt, %s, %s))\n#v(0.8em)",
    tstack(left), tstack(right)))
end

local function title_block()
  local kind, summary = field("kind"), field("summary")
  if FORMAT == "docx" then
    return pandoc.RawBlock("openxml", wpara(kind, { bold = true, before = 18 })
      .. wpara(summary, { bold = true, indent = math.floor(1.0 * CM) })
      .. wrule(4.0, 16.0)
      .. wpara("", { after = 6 }))
  end
  return pandoc.RawBlock("typst", string.format(
    "#%s\n#block(width: 100%%, inset: (x: 8%%), %s)\n#align(center, line(length: 30%%, stroke: 0.6pt))\n#v(0.6em)",
    tline(kind, { bold = true }), tline(summary, { bold = true })))
end

-- "Kính gửi:" (Decree 30, field 9a), in the body's size: one addressee on the line, centred;
-- several listed under it, each "- …;", the last "- ….".
local function addressees_block()
  local names = {}
  for _, name in ipairs(list(meta.addressees)) do
    names[#names + 1] = (name:gsub("[%s%.;,]+$", ""))
  end
  if #names == 0 then
    return {}
  end
  local lines = {}
  if #names == 1 then
    lines[1] = { "Kính gửi: " .. names[1] .. ".", { align = "center", after = 6 } }
  else
    lines[1] = { "Kính gửi:", { align = "left", left = math.floor(3.5 * CM) } }
    for n, name in ipairs(names) do
      lines[#lines + 1] = { "- " .. name .. (n == #names and "." or ";"),
        { align = "left", left = math.floor(5.5 * CM), after = n == #names and 6 or 0 } }
    end
  end
  if FORMAT == "docx" then
    local out = {}
    for _, line in ipairs(lines) do
      out[#out + 1] = wpara(line[1], line[2])
    end
    return pandoc.RawBlock("openxml", table.concat(out))
  end
  local out = {}
  for _, line in ipairs(lines) do
    local text = tline(line[1], { align = line[2].align == "center" and "center" or "left" })
    if line[2].left then
      text = string.format("pad(left: %.1fcm, %s)", line[2].left / CM, text)
    end
    out[#out + 1] = text
  end
  return pandoc.RawBlock("typst", "#" .. tstack(out) .. "\n#v(0.6em)")
end

local function signature_block()
  local signer = meta.signer or {}
  local authority = list(signer.authority)
  local position, name = stringify(signer.position or ""), stringify(signer.name or "")
  local recipients = list(meta.recipients)
  local archive = "- Lưu: " .. field("archive") .. "."
  if FORMAT == "docx" then
    local left = { wpara("Nơi nhận:", { size = 12, bold = true, italic = true, align = "left" }) }
    for _, item in ipairs(recipients) do
      left[#left + 1] = wpara("- " .. item .. ";", { size = 11, align = "left" })
    end
    left[#left + 1] = wpara(archive, { size = 11, align = "left" })
    local right = {}
    for _, line in ipairs(authority) do
      right[#right + 1] = wpara(line, { bold = true })
    end
    right[#right + 1] = wpara(position, { bold = true })
    right[#right + 1] = wpara(name, { bold = true, before = 72 })
    return pandoc.RawBlock("openxml", wtable(table.concat(left), table.concat(right), math.floor(7.5 * CM), math.floor(8.5 * CM)))
  end
  local left = { tline("Nơi nhận:", { size = 12, bold = true, italic = true, align = "left" }) }
  for _, item in ipairs(recipients) do
    left[#left + 1] = tline("- " .. item .. ";", { size = 11, align = "left" })
  end
  left[#left + 1] = tline(archive, { size = 11, align = "left" })
  local right = {}
  for _, line in ipairs(authority) do
    right[#right + 1] = tline(line, { bold = true })
  end
  right[#right + 1] = tline(position, { bold = true })
  right[#right + 1] = "v(6em)"
  right[#right + 1] = tline(name, { bold = true })
  return pandoc.RawBlock("typst", string.format(
    "#v(0.5em)\n#block(breakable: false, width: 100%%, grid(columns: (45%%, 55%%), %s, %s))",
    tstack(left), tstack(right)))
end

-- ---------------------------------------------------------------- sections (appendices)

-- Word: a marker paragraph that the build turns into a section break carrying the page
-- settings of the section it closes (see cchc_pipeline/formats/docx.py).
local previous = { orient = "portrait", first = true }

local function section_break(next_orient)
  local marker = string.format("CCHC-SECTION %s %s", previous.orient, previous.first and "first" or "restart")
  previous = { orient = next_orient, first = false }
  return pandoc.RawBlock("openxml", string.format("<w:p><w:r><w:t>%s</w:t></w:r></w:p>", marker))
end

-- An appendix starts a section of its own; `.unlabelled` (a decision's list) has no
-- "Phụ lục" label, only the new section.
local function appendix(header)
  local orient = header.classes:includes("landscape") and "landscape" or "portrait"
  local label = stringify(header.content)
  local unlabelled = header.classes:includes("unlabelled")
  if FORMAT == "docx" then
    if unlabelled then
      return section_break(orient)
    end
    return {
      section_break(orient),
      pandoc.Div({ pandoc.Para({ pandoc.Str(label) }) }, { ["custom-style"] = "Tên phụ lục" }),
    }
  end
  return pandoc.RawBlock("typst", string.format(
    "#pagebreak(weak: true)\n#set page(flipped: %s)\n#counter(page).update(1)\n%s",
    orient == "landscape" and "true" or "false", unlabelled and "" or "#" .. tline(label, { bold = true })))
end

-- Centred lines (the decision's authority line and "QUYẾT ĐỊNH:" in bold, "Kính gửi:" in
-- the body's weight): one line per paragraph or line break of the div, as plain text.
local function centred_lines(el, bold)
  local lines = {}
  for _, block in ipairs(el.content) do
    local current = pandoc.Inlines({})
    for _, inline in ipairs(block.content or {}) do
      if inline.t == "LineBreak" then
        lines[#lines + 1] = stringify(current)
        current = pandoc.Inlines({})
      else
        current:insert(inline)
      end
    end
    lines[#lines + 1] = stringify(current)
  end
  if FORMAT == "docx" then
    local out = {}
    for n, line in ipairs(lines) do
      out[#out + 1] = wpara(line, { bold = bold, before = n == 1 and 6 or 0, after = n == #lines and 6 or 0 })
    end
    return pandoc.RawBlock("openxml", table.concat(out))
  end
  local out = {}
  for _, line in ipairs(lines) do
    out[#out + 1] = tline(line, { bold = bold })
  end
  return pandoc.RawBlock("typst", "#v(0.3em)\n#" .. tstack(out) .. "\n#v(0.3em)")
end

-- ---------------------------------------------------------------- divs

local STYLES = {
  draft = "Dự thảo",
  ["table-title"] = "Tên biểu",
  ["table-unit"] = "Đơn vị tính",
  closing = "Kết thúc",
  placeholder = "Giữ chỗ",
}

local function first_inlines(div)
  local block = div.content[1]
  return block and (block.content or {}) or {}
end

local function div(el)
  local class = el.classes[1]
  if class == "heading" then
    return heading_block()
  elseif class == "title" then
    return title_block()
  elseif class == "signature" then
    return signature_block()
  elseif class == "addressees" then
    return addressees_block()
  elseif class == "figure" then
    return el.content
  elseif class == "centre" or class == "addressees" then
    return centred_lines(el, class == "centre")
  elseif class == "appendix-title" then
    if FORMAT == "docx" then
      local out = {}
      for _, block in ipairs(el.content) do
        -- the title (bold) and the "Kèm theo" line (italic), split at the line break
        local lines, current = {}, pandoc.Inlines({})
        for _, inline in ipairs(block.content or {}) do
          if inline.t == "LineBreak" then
            lines[#lines + 1] = current
            current = pandoc.Inlines({})
          else
            current:insert(inline)
          end
        end
        lines[#lines + 1] = current
        for n, inlines in ipairs(lines) do
          out[#out + 1] = pandoc.Div({ pandoc.Para(inlines) }, { ["custom-style"] = n == 1 and "Tiêu đề phụ lục" or "Kèm theo" })
        end
      end
      return out
    end
    local out = {}
    for _, block in ipairs(el.content) do
      out[#out + 1] = "#align(center)[" .. tinline(block.content or {}) .. "]"
    end
    return pandoc.RawBlock("typst", table.concat(out, "\n") .. "\n#v(0.5em)")
  elseif STYLES[class] then
    if FORMAT == "docx" then
      return pandoc.Div(el.content, { ["custom-style"] = STYLES[class] })
    end
    local inlines = tinline(first_inlines(el))
    if class == "table-title" then
      return pandoc.RawBlock("typst", "#block(sticky: true, width: 100%, align(center)[" .. inlines .. "])")
    elseif class == "table-unit" then
      return pandoc.RawBlock("typst", "#block(sticky: true, width: 100%, align(right)[" .. inlines .. "])")
    elseif class == "draft" then
      return pandoc.RawBlock("typst",
        '#place(top + left, dy: -14mm, box(stroke: 1pt, inset: 4pt, text(size: 13pt, weight: "bold")[DỰ THẢO]))')
    elseif class == "closing" then
      return pandoc.RawBlock("typst", "#par(first-line-indent: 0pt)[" .. inlines .. "]")
    elseif class == "placeholder" then
      return pandoc.RawBlock("typst", "#block(stroke: 1pt + rgb(\"#b00000\"), inset: 6pt, width: 100%)[" .. inlines .. "]")
    end
  end
end

local function header(el)
  if el.level == 1 and el.classes:includes("appendix") then
    return appendix(el)
  end
end

local function document(doc)
  if FORMAT == "typst" and landscape then
    doc.blocks:insert(1, pandoc.RawBlock("typst", "#set page(flipped: true)"))
  end
  if FORMAT == "docx" then
    -- the last section's settings (the final sectPr) are set by the build from this marker
    doc.blocks:insert(pandoc.RawBlock("openxml", string.format(
      "<w:p><w:r><w:t>CCHC-FINAL %s %s</w:t></w:r></w:p>", previous.orient, previous.first and "first" or "restart")))
  end
  return doc
end

if FORMAT ~= "docx" and FORMAT ~= "typst" then
  return {}
end

return {
  {
    Meta = function(m)
      meta = m.cchc or {}
      -- a document printed landscape throughout (the commendation list on its own)
      landscape = meta.landscape == true
      if landscape then
        previous.orient = "landscape"
      end
    end,
  },
  { Div = div, Header = header },
  { Pandoc = document },
}
