// sd_notify from the loop: a supervisor that stops reading its socket must not stop portd.
#include <common/process.hpp>
#include <portd/runtime/systemd.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

BOOST_AUTO_TEST_SUITE(systemd_notify)

// Regression: libsystemd's sd_notify() sends with a blocking socket; once the receiver's queue
// was full (a test harness that read READY=1 and then nothing) the loop froze in sendmsg and
// portd neither answered nor stopped. 5,000 messages overflow any datagram queue.
BOOST_AUTO_TEST_CASE(a_supervisor_that_never_reads_does_not_block_the_sender) {
  portd::test::temp_dir dir;
  const std::string path = dir.file("notify");
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  BOOST_TEST_REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);

  for (int i = 0; i < 5000; ++i) portd::runtime::sd_notify_state("STATUS=" + std::to_string(i));

  char buf[64] = {};
  const auto n = ::recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
  BOOST_TEST(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0) == "STATUS=0");  // delivered while there was room
  ::unsetenv("NOTIFY_SOCKET");
  ::close(fd);
}

BOOST_AUTO_TEST_SUITE_END()
