// libFuzzer: the field validators of core/validate.hpp (E.164, ICCID, states, ZIP, dates, ids,
// text, PIN, account numbers) on arbitrary text.
#include <portd/porting/validate.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace portd::porting;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)normalize_e164(s);
  (void)check_iccid(s);
  (void)check_us_state(s, "state");
  (void)is_us_state(s);
  (void)check_zip(s, "zip");
  (void)check_date(s, "date");
  (void)is_calendar_date(s);
  (void)check_pin(s, "pin");
  (void)check_classification(s);
  (void)check_prefixed_id(s, "AID-", "account_id");
  (void)check_text(s, "text");
  (void)check_text(s, "note", max_long_text_length, true);
  (void)check_account_number(s);
  return 0;
}
