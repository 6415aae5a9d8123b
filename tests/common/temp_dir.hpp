// The one temporary directory for tests, and writing and reading whole files. Use it whenever a test needs files (a database, a
// config, a socket): each instance is a fresh directory, removed with everything in it when the
// instance goes (kept when PORTD_KEEP_TEMP is set, to look at after a failure).
#pragma once
#include <filesystem>
#include <string>

namespace portd::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // The same as file(), as a filesystem path: `dir / "portd.db"`.
  std::filesystem::path operator/(const std::string& name) const { return std::filesystem::path(path_) / name; }

 private:
  std::string path_;
};

// Writes `content` to `path` with `mode` (0600: what portd asks of a secret file).
void write_file(const std::string& path, const std::string& content, unsigned mode = 0600);
// The whole content of `path` ("" when it cannot be read).
std::string read_file(const std::string& path);
// The permission bits of `path` (07777 of st_mode), 0 when it does not exist.
unsigned file_mode(const std::string& path);

}  // namespace portd::test
