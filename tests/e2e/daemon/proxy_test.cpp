// Egress through an HTTP proxy with the real binaries: telegent-sim over TLS behind a loopback
// CONNECT proxy, and `portd --check-config --online` (one token request, as at start) with
// HTTPS_PROXY / NO_PROXY in its environment. The tunnel is asked for the origin, TLS is
// verified against the origin's certificate and name, NO_PROXY goes direct, and proxy
// credentials come from the credential file only.
#include <common/connect_proxy.hpp>
#include <common/process.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <cstdlib>
#include <map>
#include <string>

using namespace std::chrono_literals;
using portd::test::connect_proxy;
using portd::test::process;
using portd::test::read_file;
using portd::test::temp_dir;
using portd::test::write_file;

namespace {

// telegent-sim over TLS (a certificate for localhost), and a portd configuration for it.
struct tls_sim_setup {
  temp_dir dir;
  std::unique_ptr<process> sim;
  std::string port;
  tls_sim_setup() {
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                            "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
                            dir.file("key.pem") + " -out " + dir.file("cert.pem") + " >/dev/null 2>&1";
    BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
    sim = std::make_unique<process>(std::vector<std::string>{portd::test::binary("TELEGENT_SIM_BIN"), "--listen",
                                                             "127.0.0.1:0", "--tls-cert", dir.file("cert.pem"),
                                                             "--tls-key", dir.file("key.pem")},
                                    std::map<std::string, std::string>{}, dir.file("sim.log"));
    const auto line = sim->read_line(20s).value_or("");
    const std::string prefix = "listening on https://127.0.0.1:";
    BOOST_REQUIRE_MESSAGE(line.starts_with(prefix), "telegent-sim said: " << line);
    port = line.substr(prefix.size());
    write_file(dir.file("telegent-secret"), "sim-secret\n", 0600);
    // The origin by name: the certificate is for localhost, and the proxy resolves it.
    write_file(dir.file("portd.toml"),
               "[telegent]\nbase_url = \"https://localhost:" + port +
                   "\"\naccount_key = \"DID-sim\"\naccount_secret_file = \"telegent-secret\"\nca_file = \"cert.pem\"\n"
                   "request_timeout = \"5s\"\n[store]\npath = \"portd.db\"\n[control]\nsocket = \"portd.sock\"\n");
  }
  ~tls_sim_setup() {
    sim->signal(SIGTERM);
    sim->wait(10s);
  }

  struct result {
    int status = -1;
    std::string out, err;
  };
  // portd --check-config --online with `env` (HTTPS_PROXY and NO_PROXY are given in both
  // spellings, empty when not given, so that the environment the test runs in cannot interfere).
  result check_online(std::map<std::string, std::string> env) {
    for (const auto& [upper, lower] : {std::pair{"HTTPS_PROXY", "https_proxy"}, {"NO_PROXY", "no_proxy"}})
      env[lower] = env[upper];
    process p({portd::test::binary("PORTD_BIN"), "--config", dir.file("portd.toml"), "--check-config", "--online"}, env,
              dir.file("check.err"));
    result r;
    while (auto line = p.read_line(30s)) r.out += *line + "\n";
    r.status = p.wait(30s).value_or(-1);
    r.err = read_file(dir.file("check.err"));
    write_file(dir.file("check.err"), "");
    return r;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_egress_proxy)

BOOST_AUTO_TEST_CASE(https_proxy_carries_telegent_calls_through_a_tunnel_and_no_proxy_goes_direct) {
  tls_sim_setup s;
  connect_proxy proxy;
  auto r = s.check_online({{"HTTPS_PROXY", proxy.url()}});
  BOOST_TEST(r.status == 0, r.out << r.err);
  BOOST_TEST(r.out.find("credentials ok") != std::string::npos, r.out);
  BOOST_TEST(proxy.tunnels() == 1u);
  BOOST_REQUIRE(proxy.targets().size() == 1u);
  BOOST_TEST(proxy.targets()[0] == "localhost:" + s.port);

  // NO_PROXY names the host: straight to Telegent, the proxy sees nothing.
  r = s.check_online({{"HTTPS_PROXY", proxy.url()}, {"NO_PROXY", "example.com,localhost"}});
  BOOST_TEST(r.status == 0, r.out << r.err);
  BOOST_TEST(proxy.tunnels() == 1u);
  BOOST_TEST(proxy.targets().size() == 1u);
}

BOOST_AUTO_TEST_CASE(proxy_credentials_come_from_a_credential_never_from_the_url) {
  tls_sim_setup s;
  connect_proxy proxy;
  proxy.require_authorization("Basic c3ZjLXBvcnRkOnByMHh5LXBhc3M=");  // svc-portd:pr0xy-pass
  // In the URL: refused as a configuration error, without printing the password.
  std::string url = proxy.url();
  url.insert(7, "svc-portd:pr0xy-pass@");
  auto r = s.check_online({{"HTTPS_PROXY", url}});
  BOOST_TEST(r.status == 78, r.err);
  BOOST_TEST(r.err.find("HTTPS_PROXY") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("pr0xy-pass") == std::string::npos, r.err);
  // No credentials: the proxy's 407 is named, exit 69 (Telegent unreachable).
  r = s.check_online({{"HTTPS_PROXY", proxy.url()}});
  BOOST_TEST(r.status == 69, r.err);
  BOOST_TEST(r.err.find("407") != std::string::npos, r.err);
  // From the credential file (LoadCredential=proxy-credentials:…): the tunnel opens.
  temp_dir creds;
  write_file(creds.file("proxy-credentials"), "svc-portd:pr0xy-pass\n", 0600);
  r = s.check_online({{"HTTPS_PROXY", proxy.url()}, {"CREDENTIALS_DIRECTORY", creds.path()}});
  BOOST_TEST(r.status == 0, r.out << r.err);
  BOOST_TEST(proxy.tunnels() == 1u);
  BOOST_TEST((r.out + r.err).find("pr0xy-pass") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
