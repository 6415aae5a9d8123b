// escape_controls: a small UTF-8 decoder that copies what is printable and writes out the rest.
#include <portd/runtime/text.hpp>

#include <cstdint>

namespace portd::runtime {
namespace {

constexpr char hex[] = "0123456789abcdef";

void put_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out += hex[b >> 4];
  out += hex[b & 0xf];
}

void put_code_point(std::string& out, std::uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xf];
}

bool is_bidi_control(std::uint32_t cp) {
  return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

bool continuation(unsigned char b) { return (b & 0xc0) == 0x80; }

// The length of the valid UTF-8 sequence at the start of `s` and its code point, or 0 when
// the first byte does not start one (RFC 3629: no overlong forms, no surrogates, ≤ U+10FFFF).
std::size_t decode(std::string_view s, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    cp = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;  // overlong
    if (b0 == 0xed) hi = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;  // overlong
    if (b0 == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  const auto b1 = static_cast<unsigned char>(s[1]);
  if (b1 < lo || b1 > hi) return 0;
  cp = (cp << 6) | (b1 & 0x3f);
  for (std::size_t i = 2; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (!continuation(b)) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  return len;
}

}  // namespace

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (b < 0x20 || b == 0x7f) put_byte(out, b);
          else out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t len = decode(text.substr(i), cp);
    if (len == 0) {
      put_byte(out, b);
      ++i;
    } else {
      if (cp <= 0x9f || is_bidi_control(cp)) put_code_point(out, cp);
      else out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace portd::runtime
