// libFuzzer: the configuration loader (util/config.hpp). load_config() reads a file, so each
// input is written to a private temp file first; a config_error (a refused file) is the
// expected answer to bad input, anything else escaping is a bug. Also fuzzes parse_duration.
// The temp dir holds two secret files (mode 600), "secret" and "whsec", so that a config naming
// them (as the seeds do) gets past the credentials into the rest of the validation.
#include <portd/runtime/config.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace fs = std::filesystem;

namespace {

// A private directory, removed at exit.
struct scratch_dir {
  fs::path dir = fs::temp_directory_path() / ("portd-fuzz-config-" + std::to_string(::getpid()));
  scratch_dir() {
    fs::create_directories(dir);
    for (const char* name : {"secret", "whsec"}) {
      // "whsec" holds a Standard Webhooks secret, so [[webhook]] blocks get past the secret check.
      std::ofstream(dir / name) << (std::string_view(name) == "whsec" ? "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" : "s3cr3t-secret") << "\n";
      fs::permissions(dir / name, fs::perms::owner_read | fs::perms::owner_write);
    }
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const fs::path& temp_file() {
  static scratch_dir scratch;
  static const fs::path path = scratch.dir / "portd.toml";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)portd::runtime::parse_duration(text);
  {
    std::ofstream out(temp_file(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  try {
    (void)portd::runtime::load_config(temp_file());
  } catch (const portd::runtime::config_error&) {
    // refused with a message: fine
  }
  return 0;
}
