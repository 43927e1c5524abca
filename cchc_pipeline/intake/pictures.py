"""What a picture will cost the PDF writer, told from its header, before anything decodes it.

Typst decodes every picture into memory (about four bytes a pixel), so a 30000×30000 PNG of
a few kilobytes asks for 3.6 GB. These small parsers read the dimensions a picture declares
(PNG, JPEG, GIF, WebP) and walk its structure, so that a bomb or a damaged file is refused
with a message instead of aborting the build; an SVG is checked for the XML features that
reach outside it (entities, external references). Nothing here allocates the pixels: a PNG's
compressed data is inflated in bounded steps only after its declared size passed the limits.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type → samples per pixel
_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # fmt: skip
_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


class PictureProblem(ValueError):
    """Why a picture is refused: a Vietnamese reason (the caller names file and picture)."""


@dataclass(frozen=True)
class PictureInfo:
    """What a picture declares: its format, pixel size and the memory its decoding takes."""

    kind: str
    width: int
    height: int
    decoded_bytes: int


def kind_of(data: bytes) -> str | None:
    """The picture format by its first bytes (never by its name), or None."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")) and b"<svg" in data[:65536]:
        return "SVG"
    return None


def inspect(data: bytes, *, max_pixels: int, max_decoded: int) -> PictureInfo:
    """Check a picture; raise :class:`PictureProblem` when it is damaged, a format the PDF
    writer does not print, or larger than the limits (pixels; bytes once decoded)."""
    kind = kind_of(data)
    if kind is None:
        raise PictureProblem(
            "không phải hình PNG, JPEG, GIF, WebP hay SVG (định dạng này không in được ra PDF)"
        )
    if kind == "SVG":
        return _svg(data, max_pixels=max_pixels, max_decoded=max_decoded)
    reader = {"PNG": _png_header, "JPEG": _jpeg, "GIF": _gif, "WebP": _webp}[kind]
    try:
        width, height, decoded = reader(data)
    except (struct.error, IndexError):
        raise PictureProblem(f"tệp hình {kind} bị cắt cụt hoặc hỏng") from None
    if width <= 0 or height <= 0:
        raise PictureProblem(f"tệp hình {kind} hỏng (kích thước {width}×{height})")
    if width * height > max_pixels:
        raise PictureProblem(
            f"hình quá lớn: {width}×{height} điểm ảnh ({_mega(width * height)} triệu điểm; "
            f"tối đa {_mega(max_pixels)} triệu)"
        )
    if decoded > max_decoded:
        raise PictureProblem(
            f"hình {width}×{height} cần {decoded // 2**20} MB bộ nhớ để giải nén "
            f"(tối đa {max_decoded // 2**20} MB)"
        )
    if kind == "PNG":
        _png_data(data, width, height)
    return PictureInfo(kind, width, height, decoded)


def _mega(pixels: int) -> str:
    return f"{pixels / 1e6:.1f}".rstrip("0").rstrip(".").replace(".", ",")


# -- PNG ------------------------------------------------------------------------------------


def _png_chunks(data: bytes):
    """(type, payload) of every chunk, each CRC checked; raises on a damaged structure."""
    offset = len(PNG_SIGNATURE)
    while True:
        if offset + 12 > len(data):
            raise PictureProblem("tệp hình PNG bị cắt cụt (thiếu phần kết thúc IEND)")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if length > 2**31 - 1 or not kind.isalpha():
            raise PictureProblem("tệp hình PNG hỏng (một khối dữ liệu sai độ dài hoặc tên)")
        if end > len(data):
            raise PictureProblem("tệp hình PNG bị cắt cụt (một khối dữ liệu thiếu)")
        payload = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + payload) != crc:
            raise PictureProblem(f"tệp hình PNG hỏng (sai mã kiểm tra của khối {kind.decode()})")
        yield kind, payload
        if kind == b"IEND":
            return
        offset = end


def _png_header(data: bytes) -> tuple[int, int, int]:
    chunks = _png_chunks(data)
    kind, ihdr = next(chunks)
    if kind != b"IHDR" or len(ihdr) != 13:
        raise PictureProblem("tệp hình PNG hỏng (không mở đầu bằng khối IHDR)")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", ihdr
    )
    if depth not in _DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
        raise PictureProblem("tệp hình PNG hỏng (thông số màu hoặc nén không hợp lệ)")
    return width, height, width * height * 4 * (2 if depth == 16 else 1)


def _png_rows_size(width: int, height: int, bits: int, interlaced: bool) -> int:
    """The bytes the image data inflates to: one filter byte and the samples of each row."""
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        columns = (width - x0 + dx - 1) // dx if width > x0 else 0
        rows = (height - y0 + dy - 1) // dy if height > y0 else 0
        if columns and rows:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total


def _png_data(data: bytes, width: int, height: int) -> None:
    """Walk every chunk and inflate the image data in bounded steps: it must be exactly as
    long as the header says (a damaged or padded stream is what makes typst fail)."""
    ihdr = data[16:29]
    depth, colour, interlace = ihdr[8], ihdr[9], ihdr[12]
    expected = _png_rows_size(width, height, depth * _CHANNELS[colour], interlace == 1)
    inflater = zlib.decompressobj()
    produced = 0
    seen: list[bytes] = []
    try:
        for kind, payload in _png_chunks(data):
            if kind == b"IDAT":
                if seen and seen[-1] != b"IDAT" and b"IDAT" in seen:
                    raise PictureProblem("tệp hình PNG hỏng (dữ liệu ảnh bị chia cắt)")
                pending = payload
                while pending and not inflater.eof:
                    produced += len(inflater.decompress(pending, 1 << 20))
                    pending = inflater.unconsumed_tail
                    if produced > expected:
                        raise PictureProblem("tệp hình PNG hỏng (dữ liệu ảnh dài hơn kích thước)")
            seen.append(kind)
    except zlib.error:
        raise PictureProblem("tệp hình PNG hỏng (dữ liệu ảnh nén sai)") from None
    if colour == 3 and b"PLTE" not in seen:
        raise PictureProblem("tệp hình PNG hỏng (thiếu bảng màu PLTE)")
    if b"IDAT" not in seen or not inflater.eof or produced != expected:
        raise PictureProblem("tệp hình PNG hỏng (dữ liệu ảnh thiếu hoặc bị cắt cụt)")


# -- JPEG, GIF, WebP ------------------------------------------------------------------------

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[int, int, int]:
    offset, size = 2, None
    while True:
        if data[offset] != 0xFF:
            raise PictureProblem("tệp hình JPEG hỏng (sai cấu trúc đoạn)")
        while data[offset] == 0xFF:
            offset += 1
        marker = data[offset]
        offset += 1
        if marker in (0x01, *range(0xD0, 0xD8)):
            continue
        if marker == 0xD9:
            raise PictureProblem("tệp hình JPEG hỏng (kết thúc trước dữ liệu ảnh)")
        (length,) = struct.unpack(">H", data[offset : offset + 2])
        if length < 2 or offset + length > len(data):
            raise PictureProblem("tệp hình JPEG bị cắt cụt hoặc hỏng")
        if marker in _SOF:
            height, width, components = struct.unpack(">HHB", data[offset + 3 : offset + 8])
            if not 1 <= components <= 4:
                raise PictureProblem("tệp hình JPEG hỏng (số kênh màu không hợp lệ)")
            size = (width, height, width * height * 4)
        if marker == 0xDA:
            if size is None:
                raise PictureProblem("tệp hình JPEG hỏng (thiếu phần khai báo kích thước)")
            if b"\xff\xd9" not in data[offset + length :]:
                raise PictureProblem("tệp hình JPEG bị cắt cụt (thiếu phần kết thúc)")
            return size
        offset += length


def _gif(data: bytes) -> tuple[int, int, int]:
    width, height, flags = struct.unpack("<HHB", data[6:11])
    offset = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while True:
        block = data[offset]
        if block == 0x3B:
            break
        if block == 0x21:
            offset += 2
        elif block == 0x2C:
            frame_w, frame_h, local = struct.unpack("<HHB", data[offset + 5 : offset + 10])
            if frame_w * frame_h > max(width * height, 1) * 4:
                raise PictureProblem(f"tệp hình GIF hỏng (khung hình {frame_w}×{frame_h})")
            offset += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            frames += 1
        else:
            raise PictureProblem("tệp hình GIF hỏng (sai cấu trúc khối)")
        while data[offset]:  # data sub-blocks, each led by its length, ended by an empty one
            offset += data[offset] + 1
        offset += 1
    if not frames:
        raise PictureProblem("tệp hình GIF không có khung hình nào")
    return width, height, width * height * 4


def _webp(data: bytes) -> tuple[int, int, int]:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data) or riff_size < 12:
        raise PictureProblem("tệp hình WebP bị cắt cụt")
    chunk, body = data[12:16], data[20:]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(body[4:7], "little")
        height = 1 + int.from_bytes(body[7:10], "little")
    elif chunk == b"VP8L":
        if body[0] != 0x2F:
            raise PictureProblem("tệp hình WebP hỏng (sai chữ ký VP8L)")
        (bits,) = struct.unpack("<I", body[1:5])
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif chunk == b"VP8 ":
        if body[3:6] != b"\x9d\x01\x2a":
            raise PictureProblem("tệp hình WebP hỏng (sai mã khởi đầu VP8)")
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", body[6:10]))
    else:
        raise PictureProblem("tệp hình WebP hỏng (không có khối ảnh)")
    return width, height, width * height * 4


# -- SVG ------------------------------------------------------------------------------------


def _svg(data: bytes, *, max_pixels: int, max_decoded: int) -> PictureInfo:
    """An SVG is drawn as vectors: refused when it declares entities (expansion bombs), refers
    to anything outside itself, or is not well-formed XML; pictures it embeds are checked."""
    if _XML_DECLARATIONS.search(data):
        raise PictureProblem("hình SVG có khai báo DOCTYPE/ENTITY (không được phép)")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise PictureProblem(f"hình SVG không phải XML hợp lệ ({exc})") from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise PictureProblem("tệp không phải hình SVG (phần tử gốc không là <svg>)")
    for element in root.iter():
        name = str(element.tag).rsplit("}", 1)[-1]
        if name in {"filter", "foreignObject", "script"}:
            raise PictureProblem(f"hình SVG dùng phần tử <{name}> (không in được an toàn)")
        targets = [v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "href"]
        styles = [element.attrib.get("style", "")]
        if name == "style":
            styles.append(element.text or "")
        targets += [m for style in styles for m in _CSS_URL.findall(style)]
        for target in targets:
            target = target.strip()
            if target.startswith("#") or not target:
                continue
            if target.lower().startswith("data:image/") and ";base64," in target:
                embedded = base64.b64decode(target.split(",", 1)[1], validate=False)
                if kind_of(embedded) == "SVG":
                    raise PictureProblem("hình SVG lồng một hình SVG khác")
                inspect(embedded, max_pixels=max_pixels, max_decoded=max_decoded)
                continue
            shown = target if len(target) <= 60 else target[:57] + "…"
            raise PictureProblem(f"hình SVG tham chiếu ra ngoài ({shown})")
        if any("@import" in s for s in styles):
            raise PictureProblem("hình SVG nạp kiểu trình bày từ bên ngoài (@import)")
    return PictureInfo("SVG", 0, 0, len(data))
