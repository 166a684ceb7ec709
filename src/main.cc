// sessiond: command line -> Config -> Server. Nothing else lives here.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include <cstdio>
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto* opt = app.get_config_ptr(); opt != nullptr && opt->count() > 0) {
    config.config_file = opt->as<std::string>();
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
