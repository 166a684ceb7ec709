// sessiond: command line -> Config -> Server. Nothing else lives here.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "ss/clock.h"
#include "ss/cmd/command.h"
#include "ss/config.h"
#include "ss/log.h"
#include "ss/net/server.h"
#include "ss_version.h"

int main(int argc, char** argv) {
  // glibc keeps freed small blocks in "fastbins" and merges all of them at
  // the next large allocation: after a million keys expire that merge is a
  // pause of ~100 ms. Without fastbins each free does its own small share of
  // the merging, so mass expiry never stalls the loop.
  mallopt(M_MXFAST, 0);
  ss::Config config;
  CLI::App app{"sessiond: a Redis-protocol in-memory session store", "sessiond"};
  app.set_version_flag("--version,-v", "sessiond " SS_VERSION " (Redis 7.0 protocol)");
  app.set_config("--config", "", "Read options from a config file (TOML/INI: port = 6380)");
  app.add_option("--bind", config.bind, "Address to listen on")->capture_default_str();
  app.add_option("--port", config.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--unixsocket", config.unixsocket, "Also listen on this unix socket path");
  app.add_option("--maxclients", config.maxclients, "Most simultaneous clients")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--databases", config.databases, "Number of databases (SELECT 0..N-1)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--loglevel", config.loglevel, "debug, verbose, notice or warning")
      ->check(CLI::IsMember({"debug", "verbose", "notice", "warning", "nothing"}))
      ->capture_default_str();
  app.add_option("--proto-max-bulk-len", config.proto_max_bulk_len,
                 "Largest bulk argument, bytes (units: kb, mb, gb)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(int64_t{1024 * 1024}, int64_t{4294967295LL}))
      ->capture_default_str();
  app.add_option("--client-query-buffer-limit", config.client_query_buffer_limit,
                 "Largest unparsed input per client, bytes (units: kb, mb, gb)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(int64_t{1024 * 1024}, INT64_MAX))
      ->capture_default_str();
  app.add_option("--tcp-backlog", config.tcp_backlog, "listen() backlog")->capture_default_str();
  app.add_option("--session-prefix", config.session_prefix,
                 "Key prefix of sessions (chuk-sessions uses session:)")
      ->capture_default_str();
  app.add_option("--session-ttl", config.session_ttl, "Default SESSION.ALLOCATE TTL, seconds")
      ->check(CLI::Range(int64_t{1}, int64_t{INT32_MAX}))
      ->capture_default_str();
  app.add_option("--session-max-meta", config.session_max_meta,
                 "Largest session custom_metadata, bytes (units: kb, mb)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(int64_t{2}, int64_t{64 * 1024 * 1024}))
      ->capture_default_str();
  app.add_option("--requirepass", config.requirepass,
                 "Password clients must give with AUTH or HELLO ... AUTH (default: none)");
  app.add_flag("--cluster-compat", config.cluster_compat,
               "Answer CLUSTER commands as a one-node cluster owning every slot");
  app.add_option("--slowlog-log-slower-than", config.slowlog_log_slower_than,
                 "SLOWLOG threshold, microseconds (-1: log nothing, 0: log everything)")
      ->check(CLI::Range(int64_t{-1}, INT64_MAX))
      ->capture_default_str();
  app.add_option("--slowlog-max-len", config.slowlog_max_len, "Entries SLOWLOG keeps")
      ->check(CLI::Range(int64_t{0}, INT64_MAX))
      ->capture_default_str();
  auto* secret_opt = app.add_option("--csrf-secret", config.csrf_secret,
                                    "Secret for CSRF and sealed tokens (default: random per start)");
  std::string secret_file;
  app.add_option("--csrf-secret-file", secret_file,
                 "Read the CSRF secret from this file (trailing newline dropped)")
      ->check(CLI::ExistingFile)
      ->excludes(secret_opt);
  std::string notify_events;
  app.add_option("--notify-keyspace-events", notify_events,
                 "Keyspace event classes to publish, as Redis's notify-keyspace-events "
                 "(e.g. KEA, Ex; default none)")
      ->check([](const std::string& v) -> std::string {
        return ss::cmd::KeyspaceEventsStringToFlags(v) < 0
                   ? std::string(ss::cmd::kErrInvalidEventClass)
                   : std::string();
      });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto* opt = app.get_config_ptr(); opt != nullptr && opt->count() > 0) {
    config.config_file = opt->as<std::string>();
  }
  config.notify_keyspace_events =
      static_cast<uint32_t>(ss::cmd::KeyspaceEventsStringToFlags(notify_events));
  if (!secret_file.empty()) {
    std::ifstream in(secret_file, std::ios::binary);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "cannot read --csrf-secret-file %s\n", secret_file.c_str());
      return 1;
    }
    if (secret.empty()) {
      std::fprintf(stderr, "--csrf-secret-file %s is empty\n", secret_file.c_str());
      return 1;
    }
    config.csrf_secret = std::move(secret);
  }

  ss::LogLevel level;
  ss::ParseLogLevel(config.loglevel, &level);
  ss::SetLogLevel(level);

  ss::SystemClock clock;
  ss::cmd::ServerState state(config, clock);
  state.executable = argv[0];
  ss::net::Server server(state, ss::cmd::CommandTable::Get());
  ss::Status listening = server.Listen();
  if (!listening) {
    ss::Log(ss::LogLevel::kWarning, listening.error().message);
    return 1;
  }
  return server.Run();
}
