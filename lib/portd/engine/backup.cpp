// daemon.backup: a consistent copy of the database made on a thread of its own.
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

namespace portd::engine {

namespace asio = boost::asio;
using namespace detail;

namespace {

asio::awaitable<service::backup_result> run_backup(std::shared_ptr<store::backup_job> job) {
  co_return job->run();
}

}  // namespace

// The copy is VACUUM INTO on a connection the worker thread opens and alone uses: in WAL mode
// its read transaction is one snapshot of committed groups, while the loop's writer keeps
// committing (its checkpoints only stop short of the frames the copy still reads). The loop
// only waits for the result, as for any other I/O.
asio::awaitable<service::result<service::backup_result>> engine::backup(std::string path, bool force,
                                                              const service::caller& c) {
  if (stopping_) co_return unavailable("portd is stopping");
  if (backup_running_)
    co_return service::error{.code = errc::conflict,
                             .message = "a backup is already running; try again when it is done",
                             .reason = "backup_running"};
  auto job = std::make_shared<store::backup_job>(repo_.path(), path, force);
  backup_running_ = job;
  if (!backup_worker_) backup_worker_ = std::make_unique<asio::thread_pool>(1);
  spdlog::info("backup of {} to {} started by {}", repo_.path().string(), path, c.actor());
  const auto started = std::chrono::steady_clock::now();
  std::optional<service::error> refused;
  std::optional<service::backup_result> done;
  try {
    done = co_await asio::co_spawn(backup_worker_->get_executor(), run_backup(job), asio::use_awaitable);
  } catch (const store::backup_refused& e) {
    refused = e.exists ? service::error{.code = errc::conflict, .message = e.what(), .reason = "exists"}
                       : service::error{.code = errc::invalid_params, .message = e.what(), .field = "path"};
  } catch (const std::exception& e) {  // store_error: disk full, I/O, interrupted
    spdlog::error("backup to {} failed: {}", path, e.what());
    refused = service::error{.code = errc::unavailable,
                             .message = std::string("the backup failed: ") + e.what(),
                             .reason = "backup_failed"};
  }
  backup_running_.reset();
  if (refused) co_return std::move(*refused);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("backup written to {} ({} bytes, schema version {}) in {} ms", done->path.string(), done->bytes,
               done->schema_version, ms.count());
  co_return std::move(*done);
}

}  // namespace portd::engine
