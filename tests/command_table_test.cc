#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>

#include "cmd_harness.h"
#include "ss/cmd/command.h"

using ss::cmd::CommandSpec;
using ss::cmd::CommandTable;
using ss::cmd::kKeyNotKey;
using ss::cmd::kKeyRM;
using ss::cmd::kKeyRO;
using ss::cmd::kKeyRW;
using ss::cmd::kKeyOW;
using ss::cmd::kKeyVariableFlags;

namespace {

void CheckSpec(const CommandSpec& spec, const std::string& where) {
  INFO("command ", where);
  CHECK_FALSE(spec.name.empty());
  for (char c : spec.name) CHECK_FALSE(std::islower(static_cast<unsigned char>(c)));
  CHECK(spec.arity != 0);
  CHECK((spec.handler != nullptr || !spec.subcommands.empty()));
  CHECK_FALSE(spec.group.empty());
  CHECK_FALSE(spec.since.empty());
  CHECK_FALSE(spec.summary.empty());
  CHECK_FALSE(spec.complexity.empty());
  CHECK_FALSE(spec.acl_categories.empty());
  // Legacy key positions: a first key means a step; last -1 means "to the end".
  if (spec.keys.first > 0) {
    CHECK(spec.keys.step > 0);
    CHECK((spec.keys.last == -1 || spec.keys.last >= spec.keys.first));
    // Every key has key-spec flags: exactly one of RO/RW/OW/RM, or not_key.
    auto well_formed = [](uint32_t f) {
      const uint32_t access = f & (kKeyRO | kKeyRW | kKeyOW | kKeyRM);
      return (f & kKeyNotKey) != 0 || (access != 0 && (access & (access - 1)) == 0);
    };
    CHECK(well_formed(spec.keys.flags));
    if (spec.keys.last_flags != 0) CHECK(well_formed(spec.keys.last_flags));
    // A split last key is a fixed position after the first.
    if (spec.keys.last_flags != 0) CHECK(spec.keys.last > spec.keys.first);
    CHECK(((spec.keys.flags & kKeyVariableFlags) != 0) == (spec.keys.variable_flags != nullptr));
  } else {
    CHECK(spec.keys.flags == 0);
    CHECK(spec.keys.last_flags == 0);
  }
}

}  // namespace

TEST_CASE("every command in the one table is well formed and unique") {
  const CommandTable& table = CommandTable::Get();
  REQUIRE(table.all().size() > 50);
  std::set<std::string_view> names;
  for (const CommandSpec* spec : table.all()) {
    CheckSpec(*spec, std::string(spec->name));
    CHECK(names.insert(spec->name).second);
    std::set<std::string_view> subs;
    for (const CommandSpec& sub : spec->subcommands) {
      CheckSpec(sub, std::string(spec->name) + "|" + std::string(sub.name));
      CHECK(subs.insert(sub.name).second);
      CHECK(sub.arity != 0);
    }
  }
}

TEST_CASE("lookup is case-insensitive and finds subcommands") {
  const CommandTable& table = CommandTable::Get();
  const CommandSpec* get = table.Find("gEt");
  REQUIRE(get != nullptr);
  CHECK(get->name == "GET");
  CHECK(table.Find("NOSUCHCOMMAND") == nullptr);
  CHECK(table.Find(std::string(100, 'A')) == nullptr);
  const CommandSpec* config = table.Find("config");
  REQUIRE(config != nullptr);
  const CommandSpec* config_get = CommandTable::FindSub(*config, "get");
  REQUIRE(config_get != nullptr);
  CHECK(ss::cmd::FullName(*config_get, config) == "config|get");
}

TEST_CASE("dispatcher errors use Redis's exact texts") {
  ss::test::CmdHarness h;
  CHECK(h.Run({"nosuch"}) == "-ERR unknown command 'nosuch', with args beginning with: \r\n");
  CHECK(h.Run({"nosuch", "a", "b c"}) ==
        "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b c' \r\n");
  CHECK(h.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"get", "a", "b"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"CONFIG"}) == "-ERR wrong number of arguments for 'config' command\r\n");
  CHECK(h.Run({"config", "nope"}) == "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n");
  CHECK(h.Run({"config", "get"}) == "-ERR wrong number of arguments for 'config|get' command\r\n");
  // Newlines in a name are replaced by spaces (errors are one line).
  CHECK(h.Run({"a\r\nb"}) == "-ERR unknown command 'a  b', with args beginning with: \r\n");
}

TEST_CASE("unknown command lists arguments up to 128 bytes like Redis") {
  ss::test::CmdHarness h;
  std::string a(100, 'a'), b(100, 'b');
  std::string expect = "-ERR unknown command 'x', with args beginning with: '" + a + "' '" +
                       std::string(25, 'b') + "' \r\n";
  // After 'a..a' (100 + 3 bytes) 25 bytes remain of the 128, so b is cut to 25.
  CHECK(h.Run({"x", a, b, "c"}) == expect);
  std::string long_name(200, 'n');
  CHECK(h.Run({long_name}) ==
        "-ERR unknown command '" + std::string(128, 'n') + "', with args beginning with: \r\n");
}

TEST_CASE("maxmemory refuses commands that may grow memory") {
  ss::test::CmdHarness h;
  CHECK(h.Run({"SET", "k", std::string(1000, 'v')}) == "+OK\r\n");
  h.state().config.maxmemory = 1;
  CHECK(h.Run({"SET", "k2", "v"}) ==
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  CHECK(h.Run({"GET", "k2"}) == "$-1\r\n");  // reads still work
  CHECK(h.Run({"DEL", "k"}) == ":1\r\n");     // and deletes free memory
}

TEST_CASE("unknown command arguments end at a NUL byte, as Redis's printf does") {
  ss::test::CmdHarness h;
  CHECK(h.Run({"nosuch", std::string("nul\0byte", 8)}) ==
        "-ERR unknown command 'nosuch', with args beginning with: 'nul' \r\n");
}
