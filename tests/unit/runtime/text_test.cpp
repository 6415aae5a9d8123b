// escape_controls: what a carrier's text may contain and how it reaches a terminal.
#include <portd/runtime/text.hpp>

#include <boost/test/unit_test.hpp>

using portd::runtime::escape_controls;

BOOST_AUTO_TEST_SUITE(util_text)

BOOST_AUTO_TEST_CASE(plain_text_and_other_scripts_pass_unchanged) {
  BOOST_TEST(escape_controls("") == "");
  BOOST_TEST(escape_controls("Port Out Rejected: PIN mismatch (code 6F) \\ 100%") ==
             "Port Out Rejected: PIN mismatch (code 6F) \\ 100%");
  const std::string utf8 = "Müller – 東京 – مرحبا – 🙂";
  BOOST_TEST(escape_controls(utf8) == utf8);
}

BOOST_AUTO_TEST_CASE(c0_controls_and_del_are_written_out) {
  BOOST_TEST(escape_controls("a\nb\rc\td") == "a\\nb\\rc\\td");
  BOOST_TEST(escape_controls("\x1b[2J\x1b]0;pwned\x07") == "\\x1b[2J\\x1b]0;pwned\\x07");
  BOOST_TEST(escape_controls(std::string_view("x\0y", 3)) == "x\\x00y");
  BOOST_TEST(escape_controls("rub\x7f") == "rub\\x7f");
}

BOOST_AUTO_TEST_CASE(c1_controls_are_written_out) {
  BOOST_TEST(escape_controls("\xc2\x9b" "31m") == "\\u009b31m");              // CSI
  BOOST_TEST(escape_controls("\xc2\x9d" "8;;http://x\xc2\x9c") == "\\u009d8;;http://x\\u009c");  // OSC, ST
  BOOST_TEST(escape_controls("\xc2\x80\xc2\x85\xc2\x9f") == "\\u0080\\u0085\\u009f");
  BOOST_TEST(escape_controls("\xc2\xa0") == "\xc2\xa0");  // U+00A0 is printable
}

BOOST_AUTO_TEST_CASE(bidi_controls_are_written_out) {
  BOOST_TEST(escape_controls("a\xe2\x80\xae" "cba") == "a\\u202ecba");  // RLO
  BOOST_TEST(escape_controls("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad") == "\\u202a\\u202b\\u202c\\u202d");
  BOOST_TEST(escape_controls("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9") == "\\u2066\\u2067\\u2068\\u2069");
  BOOST_TEST(escape_controls("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c") == "\\u200e\\u200f\\u061c");
  BOOST_TEST(escape_controls("\xe2\x80\x94") == "\xe2\x80\x94");  // an em dash next to them stays
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_written_out_one_by_one) {
  BOOST_TEST(escape_controls("\xff") == "\\xff");
  BOOST_TEST(escape_controls("a\x80z") == "a\\x80z");                 // stray continuation
  BOOST_TEST(escape_controls("\xc2") == "\\xc2");                     // truncated at the end
  BOOST_TEST(escape_controls("\xe2\x80z") == "\\xe2\\x80z");          // truncated in the middle
  BOOST_TEST(escape_controls("\xc0\x9b") == "\\xc0\\x9b");            // overlong ESC
  BOOST_TEST(escape_controls("\xe0\x80\x9b") == "\\xe0\\x80\\x9b");    // overlong, 3 bytes
  BOOST_TEST(escape_controls("\xed\xa0\x80") == "\\xed\\xa0\\x80");    // a surrogate
  BOOST_TEST(escape_controls("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  BOOST_TEST(escape_controls("\xc2\xc2\x9b") == "\\xc2\\u009b");      // a bad lead, then a C1
}

BOOST_AUTO_TEST_SUITE_END()
