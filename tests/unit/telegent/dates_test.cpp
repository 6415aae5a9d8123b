// Every date form Telegent writes parses to the right instant; portd's own forms are exact.
#include <portd/telegent/dates.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::telegent;
using namespace portd::porting;
using std::chrono::day;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::month;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year;

namespace {
// The UTC instant y-mo-d h:mi:s.ms.
portd::porting::time_point at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
  return portd::porting::time_point{sys_days{year{y} / month{mo} / day{d}}.time_since_epoch()} + hours{h} +
         minutes{mi} + seconds{s} + milliseconds{ms};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(telegent_dates)

BOOST_AUTO_TEST_CASE(iso_8601_with_every_fraction_length_and_zone) {
  BOOST_TEST((parse_remote_time("2025-05-14T18:00:00.0000000+00:00") == at(2025, 5, 14, 18)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08.89") == at(2025, 12, 8, 0, 12, 8, 890)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08") == at(2025, 12, 8, 0, 12, 8)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08Z") == at(2025, 12, 8, 0, 12, 8)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08.1Z") == at(2025, 12, 8, 0, 12, 8, 100)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08.123Z") == at(2025, 12, 8, 0, 12, 8, 123)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08.1234567Z") == at(2025, 12, 8, 0, 12, 8, 123)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08.5-05:00") == at(2025, 12, 8, 5, 12, 8, 500)));
  BOOST_TEST((parse_remote_time("2025-12-08T00:12:08+0130") == at(2025, 12, 7, 22, 42, 8)));
  BOOST_TEST((parse_remote_time("2025-12-08T10:12") == at(2025, 12, 8, 10, 12)));
  BOOST_TEST((parse_remote_time("2025-12-08") == at(2025, 12, 8)));
  BOOST_TEST((parse_remote_time("2025-12-08 10:12:00") == at(2025, 12, 8, 10, 12)));
}

BOOST_AUTO_TEST_CASE(us_forms_with_and_without_time) {
  BOOST_TEST((parse_remote_time("05/02/2026") == at(2026, 5, 2)));
  BOOST_TEST((parse_remote_time("5/2/2026") == at(2026, 5, 2)));
  BOOST_TEST((parse_remote_time("05/02/2026 06:36:13 PM") == at(2026, 5, 2, 18, 36, 13)));
  BOOST_TEST((parse_remote_time("5/2/2026 6:36:13 AM") == at(2026, 5, 2, 6, 36, 13)));
  BOOST_TEST((parse_remote_time("12/31/2025 12:00:00 AM") == at(2025, 12, 31, 0)));
  BOOST_TEST((parse_remote_time("12/31/2025 12:30:00 PM") == at(2025, 12, 31, 12, 30)));
  BOOST_TEST((parse_remote_time("12/31/2025 23:30:00") == at(2025, 12, 31, 23, 30)));
  BOOST_TEST((parse_remote_time("12/31/2025 11:30:00 pm") == at(2025, 12, 31, 23, 30)));
}

BOOST_AUTO_TEST_CASE(token_expiry_has_no_zone_and_is_utc) {
  BOOST_TEST((parse_token_expiry("05/02/2026 06:36:13 PM") == at(2026, 5, 2, 18, 36, 13)));
  BOOST_TEST((parse_token_expiry("2026-05-02T18:36:13") == at(2026, 5, 2, 18, 36, 13)));
  BOOST_TEST(!parse_token_expiry("tomorrow").has_value());
}

BOOST_AUTO_TEST_CASE(nonsense_and_impossible_dates_are_refused) {
  for (const char* s : {"", "2025-13-01", "2025-02-29", "2025-12-08T25:00:00", "2025-12-08T10:61",
                        "13/01/2025", "02/30/2025", "12/31/2025 13:00:00 PM", "12/31/2025 0:10:00 AM",
                        "2025-12-08T00:12:08.", "2025-12-08T00:12:08Zjunk", "5/2/26", "yesterday",
                        "2025-12-08T00:12:08+5"}) {
    BOOST_TEST_CONTEXT(s) { BOOST_TEST(!parse_remote_time(s).has_value()); }
  }
  BOOST_TEST(parse_remote_time("2024-02-29").has_value());
}

BOOST_AUTO_TEST_CASE(remote_dates_keep_the_calendar_day_as_written) {
  BOOST_TEST(remote_date_to_iso("2026-05-02T23:30:00-05:00").value_or("") == "2026-05-02");
  BOOST_TEST(remote_date_to_iso("5/2/2026").value_or("") == "2026-05-02");
  BOOST_TEST(remote_date_to_iso("05/02/2026 06:36:13 PM").value_or("") == "2026-05-02");
  BOOST_TEST(!remote_date_to_iso("soon").has_value());
}

BOOST_AUTO_TEST_CASE(http_dates_in_all_three_forms) {
  const auto want = at(1994, 11, 6, 8, 49, 37);
  BOOST_TEST((parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == want));
  BOOST_TEST((parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == want));
  BOOST_TEST((parse_http_date("Sun Nov  6 08:49:37 1994") == want));
  BOOST_TEST(!parse_http_date("Sun, 06 Nov 1994 08:49:37").has_value());
  BOOST_TEST(!parse_http_date("120").has_value());
}

BOOST_AUTO_TEST_CASE(formats_out_and_calendar_validation) {
  BOOST_TEST(format_iso_date(at(2026, 5, 2, 23, 59, 59, 999)) == "2026-05-02");
  BOOST_TEST(format_us_date(at(2026, 5, 2)) == "05/02/2026");
  BOOST_TEST(iso_date_to_us("2026-05-02").value_or("") == "05/02/2026");
  BOOST_TEST(!iso_date_to_us("2026-5-2").has_value());
  BOOST_TEST(is_valid_iso_date("2024-02-29"));
  BOOST_TEST(!is_valid_iso_date("2025-02-29"));
  BOOST_TEST(!is_valid_iso_date("2025-04-31"));
  BOOST_TEST(!is_valid_iso_date("2025-00-10"));
  BOOST_TEST(!is_valid_iso_date("2025-01-10T00:00"));
  BOOST_TEST(!is_valid_iso_date("05/02/2026"));
}

BOOST_AUTO_TEST_SUITE_END()
