// ss_session_json: Python-format JSON (pyjson.h), ISO timestamps (isotime.h)
// and chuk-sessions records (chuk_record.h).
//
// Expected outputs come from Debian's /usr/bin/python3 (session_json_corpus.h
// says how); every other expectation is written out below. Where Python's
// json.loads is lenient beyond RFC 8259 and RapidJSON is not, we reject
// (pyjson.h lists the deviations); the last test case pins each of them.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ss/session/chuk_record.h"
#include "ss/session/isotime.h"
#include "ss/session/pyjson.h"
#include "session_json_corpus.h"

namespace {

using namespace std::literals;
using ss::session::AppendIsoUtc;
using ss::session::AppendPyString;
using ss::session::ChukRecord;
using ss::session::CompactSorted;
using ss::session::MergeObjects;
using ss::session::NormalizeObject;
using ss::session::NormalizeObjectGeneral;
using ss::session::NormalizeObjectView;
using ss::session::ParseChukRecord;
using ss::session::ParseIsoUtc;

using namespace session_json_corpus;  // the tables

// Results as text, errors as "ERR <message>", so a CHECK shows both.
std::string Normalize(std::string_view json) {
  std::string out = "garbage";
  const ss::Status status = NormalizeObject(json, &out);
  return status ? out : "ERR " + status.error().message;
}

std::string Compact(std::string_view json, bool* is_empty_object = nullptr) {
  std::string out = "garbage";
  bool empty = true;
  const ss::Status status = CompactSorted(json, &out, &empty);
  if (is_empty_object != nullptr) *is_empty_object = empty;
  return status ? out : "ERR " + status.error().message;
}

std::string Merge(std::string_view base, std::string_view patch) {
  std::string out = "garbage";
  const ss::Status status = MergeObjects(base, patch, &out);
  return status ? out : "ERR " + status.error().message;
}

std::string PyString(std::string_view s) {
  std::string out;
  AppendPyString(out, s);
  return out;
}

std::string Iso(int64_t us) {
  std::string out;
  AppendIsoUtc(out, us);
  return out;
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST_CASE("AppendPyString writes json.dumps of the text, bad bytes as Latin-1") {
  for (const auto& [in, want] : kPyStrings) {
    CAPTURE(in);
    CHECK(PyString(in) == want);
  }
  std::string out = "prefix:";
  AppendPyString(out, "x");
  CHECK(out == "prefix:\"x\"");
}

TEST_CASE("NormalizeObject and CompactSorted match json.dumps on the corpus") {
  for (const DocCase& c : kDocs) {
    CAPTURE(c.text);
    if (c.py.empty()) {
      CHECK(Normalize(c.text) == "ERR JSON value is not an object");
    } else {
      CHECK(Normalize(c.text) == c.py);
      CHECK(Normalize(c.py) == c.py);  // Py format reads back to itself
    }
    CHECK(Compact(c.text) == c.compact);
    CHECK(Compact(c.compact) == c.compact);
  }
}

TEST_CASE("a large object with repeated keys keeps first positions and last values") {
  CHECK(Normalize(kBigDoc.text) == kBigDoc.py);
  CHECK(Compact(kBigDoc.text) == kBigDoc.compact);
}

TEST_CASE("CompactSorted says whether the value was {}") {
  bool empty = false;
  CHECK(Compact("{}", &empty) == "{}");
  CHECK(empty);
  CHECK(Compact(" \n{ \t}\r", &empty) == "{}");
  CHECK(empty);
  for (std::string_view json : {"[]"sv, "{\"a\":1}"sv, "{\"a\":1,\"a\":2}"sv, "null"sv, "\"{}\""sv, "0"sv, "[{}]"sv}) {
    CAPTURE(json);
    empty = true;
    CHECK(Compact(json, &empty).substr(0, 3) != "ERR");
    CHECK_FALSE(empty);
  }
}

TEST_CASE("floats are written as Python's repr") {
  for (const auto& [in, want] : kFloats) {
    CAPTURE(in);
    CHECK(Normalize("{\"f\": "s + std::string(in) + "}") == "{\"f\": "s + std::string(want) + "}");
    CHECK(Compact(in) == want);
  }
}

TEST_CASE("integers are exact up to RapidJSON's limit near 1.8e308") {
  const std::string nines(308, '9');
  CHECK(Normalize("{\"n\":" + nines + "}") == "{\"n\": " + nines + "}");
  CHECK(Normalize("{\"n\":-" + nines + "}") == "{\"n\": -" + nines + "}");
  CHECK(Compact("[18446744073709551615, 18446744073709551616, -9223372036854775808]") ==
        "[18446744073709551615,18446744073709551616,-9223372036854775808]");
  CHECK(Compact("-0") == "0");
  CHECK(Compact("[-0, 0, -1, 10]") == "[0,0,-1,10]");
  // One more digit: "Number too big" (Python: the int; kPythonOnly has more).
  CHECK(Normalize("{\"n\":9" + nines + "}") == "ERR invalid JSON");
  CHECK(Normalize("{\"n\":-9" + nines + "}") == "ERR invalid JSON");
}

TEST_CASE("invalid JSON is rejected and *out is left alone") {
  for (std::string_view json : kInvalid) {
    CAPTURE(json);
    CHECK(Normalize(json) == "ERR invalid JSON");
    CHECK(Compact(json) == "ERR invalid JSON");
    CHECK(Merge("{}", json) == "ERR invalid JSON");
    CHECK(Merge(json, "{}") == "ERR invalid JSON");
    CHECK(ParseChukRecord(json) == std::nullopt);
  }
  std::string out = "kept";
  bool empty = true;
  CHECK_FALSE(NormalizeObject("{\"a\":}", &out));
  CHECK_FALSE(NormalizeObject("[1]", &out));
  CHECK_FALSE(MergeObjects("{}", "[1]", &out));
  CHECK_FALSE(CompactSorted("[1,]", &out, &empty));
  CHECK(out == "kept");
  const ss::Status status = NormalizeObject("[1]", &out);
  CHECK(status.error().code == ss::ErrorCode::kInvalidArgument);
}

TEST_CASE("nesting is capped at 900 levels, below where Python gives up") {
  CHECK(Compact(Repeat("[", 900) + Repeat("]", 900)) == Repeat("[", 900) + Repeat("]", 900));
  CHECK(Compact(Repeat("[", 901) + Repeat("]", 901)) == "ERR JSON nesting too deep");
  const std::string objects = Repeat("{\"a\":", 899) + "{}" + Repeat("}", 899);
  CHECK(Normalize(objects) == Repeat("{\"a\": ", 899) + "{}" + Repeat("}", 899));
  CHECK(Normalize("{\"a\":" + objects + "}") == "ERR JSON nesting too deep");
  CHECK(Compact("[" + objects + "]") == "ERR JSON nesting too deep");
  // Deep but unterminated: an error, not a crash.
  CHECK(Compact(Repeat("[", 100000)) == "ERR JSON nesting too deep");
}

TEST_CASE("MergeObjects is dict.update") {
  for (const auto& [base, patch, want] : kMerges) {
    CAPTURE(base);
    CAPTURE(patch);
    CHECK(Merge(base, patch) == want);
  }
  CHECK(Merge("[]", "{}") == "ERR JSON value is not an object");
  CHECK(Merge("{}", "\"x\"") == "ERR JSON value is not an object");
  CHECK(Merge("{}", "{} x") == "ERR invalid JSON");
}

TEST_CASE("the output may be the string the input views") {
  std::string s = "{\"b\": 1, \"a\": [1E16, \"\\u00e9\"], \"b\": 2}";
  REQUIRE(NormalizeObject(s, &s));
  CHECK(s == "{\"b\": 2, \"a\": [1e+16, \"\\u00e9\"]}");
  REQUIRE(MergeObjects(s, "{\"c\": -0, \"a\": null}", &s));
  CHECK(s == "{\"b\": 2, \"a\": null, \"c\": 0}");
  bool empty = true;
  REQUIRE(CompactSorted(s, &s, &empty));
  CHECK(s == "{\"a\":null,\"b\":2,\"c\":0}");
  CHECK_FALSE(empty);
}

// NormalizeObject's fast path for flat objects, NormalizeObjectView, and
// the general parser alone must agree byte for byte (or on the error).
void CheckPathsAgree(std::string_view json) {
  CAPTURE(json);
  std::string general = "garbage";
  const ss::Status g = NormalizeObjectGeneral(json, &general);
  const std::string want = g ? general : "ERR " + g.error().message;
  CHECK(Normalize(json) == want);
  std::string storage = "garbage";
  std::string_view view;
  const ss::Status v = NormalizeObjectView(json, &storage, &view);
  CHECK((v ? std::string(view) : "ERR " + v.error().message) == want);
}

TEST_CASE("the flat-object fast path writes what the general parser writes") {
  for (const DocCase& c : kDocs) {
    CheckPathsAgree(c.text);
    CheckPathsAgree(c.py);
  }
  CheckPathsAgree(kBigDoc.text);
  CheckPathsAgree(kBigDoc.py);
  for (std::string_view json : kInvalid) CheckPathsAgree(json);
  for (std::string_view json : kPythonOnly) CheckPathsAgree(json);
  for (const auto& [base, patch, want] : kMerges) {
    CheckPathsAgree(base);
    CheckPathsAgree(patch);
    CheckPathsAgree(want);
  }
  CheckPathsAgree(kMeta);
  CheckPathsAgree(kMetaPy);

  // Random near-flat objects from pieces the fast path takes or must refuse
  // (fixed seed): spacing, escapes, non-ASCII, repeated keys, numbers at
  // and past its limits, nesting, junk, then random cuts and byte flips.
  const std::string_view keys[] = {"a", "b", "role", "lang", "", "k\\u0041", "\\n", "caf\303\251",
                                   "a b", "x/y", "\"", "\177"};
  const std::string_view values[] = {
      "\"user\"", "\"\"", "\"en\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"\303\251\"", "\"\001\"",
      "0", "-0", "01", "-", "7", "-12", "123456789012345678", "-123456789012345678",
      "1234567890123456789", "1.5", "1e3", "2E-1", "-0.0", "true", "false", "null", "tru",
      "nul", "True", "NaN", "Infinity", "{}", "[]", "{\"x\": 1}", "[1, 2]", "\"\t\""};
  const std::string_view spaces[] = {"", "", "", " ", " ", "  ", "\t", "\n", "\r\n", "\f", "\v"};
  std::mt19937_64 rng(20261126);
  auto pick = [&](const auto& table) { return table[rng() % std::size(table)]; };
  for (int round = 0; round < 20000; ++round) {
    std::string json(pick(spaces));
    json += '{';
    const size_t members = rng() % 20;
    for (size_t i = 0; i < members; ++i) {
      if (i != 0) json += rng() % 50 == 0 ? ";" : ",";
      json += pick(spaces);
      json += '"';
      json += pick(keys);
      json += '"';
      json += pick(spaces);
      json += rng() % 50 == 0 ? "=" : ":";
      json += pick(spaces);
      json += pick(values);
      json += pick(spaces);
    }
    if (rng() % 40 == 0) json += ",";
    json += rng() % 40 == 0 ? "]" : "}";
    json += pick(spaces);
    if (rng() % 40 == 0) json += "x";
    if (rng() % 8 == 0 && !json.empty()) json.resize(rng() % json.size());
    if (rng() % 8 == 0 && !json.empty()) json[rng() % json.size()] = static_cast<char>(rng());
    CheckPathsAgree(json);
  }
}

TEST_CASE("NormalizeObjectView views the input when it already is in Py format") {
  std::string storage;
  std::string_view view;
  const std::string_view py = "{\"role\": \"user\", \"lang\": \"en\", \"n\": -3, \"ok\": true}";
  REQUIRE(NormalizeObjectView(py, &storage, &view));
  CHECK(view.data() == py.data());
  CHECK(view.size() == py.size());
  const std::string_view spaced = "{ \"role\":\"user\" }";
  REQUIRE(NormalizeObjectView(spaced, &storage, &view));
  CHECK(view == "{\"role\": \"user\"}");
  CHECK(view.data() == storage.data());
  REQUIRE(NormalizeObjectView("{}", &storage, &view));
  CHECK(view == "{}");
  storage = "kept";
  CHECK_FALSE(NormalizeObjectView("{\"a\": 1,}", &storage, &view));
  CHECK(storage == "kept");
}

TEST_CASE("AppendIsoUtc writes isoformat() with Z, ParseIsoUtc reads it back") {
  for (const auto& [us, text] : kIsoTimes) {
    CAPTURE(us);
    CHECK(Iso(us) == text);
    CHECK(ParseIsoUtc(text) == std::optional<int64_t>(us));
  }
  std::string out = "at ";
  AppendIsoUtc(out, 0);
  CHECK(out == "at 1970-01-01T00:00:00Z");
}

TEST_CASE("ParseIsoUtc accepts fromisoformat's common forms with the same value") {
  for (const auto& [text, us] : kIsoParsed) {
    CAPTURE(text);
    CHECK(ParseIsoUtc(text) == std::optional<int64_t>(us));
  }
}

TEST_CASE("ParseIsoUtc rejects what fromisoformat rejects, and forms outside its grammar") {
  for (std::string_view text : kIsoRejected) {
    CAPTURE(text);
    CHECK(ParseIsoUtc(text) == std::nullopt);
  }
  for (std::string_view text : kIsoOutsideGrammar) {
    CAPTURE(text);
    CHECK(ParseIsoUtc(text) == std::nullopt);
  }
}

// A chuk-sessions record as json.dumps(SessionMetadata.model_dump()) writes
// it, built member by member so each case can change one.
class RecordBuilder {
 public:
  RecordBuilder() {
    members_ = {
        {"session_id", "\"sess-alice-1764106113-1a2b3c4d\""},
        {"sandbox_id", "\"demo\""},
        {"user_id", "\"alice\""},
        {"created_at", "\"2026-11-25T21:28:33.411935Z\""},
        {"expires_at", "\"2026-11-26T21:28:33.411935Z\""},
        {"status", "\"active\""},
        {"last_accessed", "\"2026-11-25T21:28:33.411935Z\""},
        {"custom_metadata", "{\"role\": \"admin\"}"},
    };
  }

  RecordBuilder& Set(std::string key, std::string value) {
    for (auto& [k, v] : members_) {
      if (k == key) {
        v = std::move(value);
        return *this;
      }
    }
    members_.emplace_back(std::move(key), std::move(value));
    return *this;
  }

  RecordBuilder& Append(std::string key, std::string value) {
    members_.emplace_back(std::move(key), std::move(value));
    return *this;
  }

  RecordBuilder& Drop(std::string_view key) {
    std::erase_if(members_, [key](const auto& m) { return m.first == key; });
    return *this;
  }

  std::string Json() const {
    std::string out = "{";
    for (const auto& [k, v] : members_) {
      if (out.size() > 1) out += ", ";
      out += "\"" + k + "\": " + v;
    }
    return out + "}";
  }

  std::optional<ChukRecord> Parse() const { return ParseChukRecord(Json()); }

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

// datetime.fromisoformat("2026-11-25T21:28:33.411935+00:00").timestamp() * 10**6
constexpr int64_t kCreatedUs = 1795642113411935;
constexpr int64_t kDayUs = 86'400'000'000;

TEST_CASE("ParseChukRecord reads the record chuk-sessions writes") {
  const std::optional<ChukRecord> r = RecordBuilder().Parse();
  REQUIRE(r.has_value());
  CHECK(r->session_id == "sess-alice-1764106113-1a2b3c4d");
  CHECK(r->sandbox_id == "demo");
  CHECK(r->has_user);
  CHECK(r->user_id == "alice");
  CHECK(r->created_us == kCreatedUs);
  CHECK(r->expires_us == kCreatedUs + kDayUs);
  CHECK(r->last_accessed_us == kCreatedUs);
  CHECK(r->status == "active");
  CHECK(r->metadata_py == "{\"role\": \"admin\"}");
}

TEST_CASE("ParseChukRecord: optional members and their defaults") {
  SUBCASE("user_id null or absent") {
    for (auto builder : {RecordBuilder().Set("user_id", "null"), RecordBuilder().Drop("user_id")}) {
      const auto r = builder.Parse();
      REQUIRE(r.has_value());
      CHECK_FALSE(r->has_user);
      CHECK(r->user_id.empty());
    }
  }
  SUBCASE("user_id any string, escapes decoded") {
    auto r = RecordBuilder().Set("user_id", "\"J\\u00fcrgen\"").Parse();
    REQUIRE(r.has_value());
    CHECK(r->has_user);
    CHECK(r->user_id == "J\xc3\xbcrgen");
    r = RecordBuilder().Set("user_id", "\"\"").Parse();
    REQUIRE(r.has_value());
    CHECK(r->has_user);
    CHECK(r->user_id.empty());
  }
  SUBCASE("status absent is active, else as written") {
    auto r = RecordBuilder().Drop("status").Parse();
    REQUIRE(r.has_value());
    CHECK(r->status == "active");
    r = RecordBuilder().Set("status", "\"expired\"").Parse();
    REQUIRE(r.has_value());
    CHECK(r->status == "expired");
  }
  SUBCASE("custom_metadata absent is {}, else in Py format") {
    auto r = RecordBuilder().Drop("custom_metadata").Parse();
    REQUIRE(r.has_value());
    CHECK(r->metadata_py == "{}");
    r = RecordBuilder().Set("custom_metadata", std::string(kMeta)).Parse();
    REQUIRE(r.has_value());
    CHECK(r->metadata_py == kMetaPy);
  }
  SUBCASE("timestamps with offsets or none") {
    const auto r = RecordBuilder()
                       .Set("created_at", "\"2026-11-25T22:28:33.411935+01:00\"")
                       .Set("expires_at", "\"2026-11-26 21:28:33.411935\"")
                       .Set("last_accessed", "\"2026-11-25T21:28:33Z\"")
                       .Parse();
    REQUIRE(r.has_value());
    CHECK(r->created_us == kCreatedUs);
    CHECK(r->expires_us == kCreatedUs + kDayUs);
    CHECK(r->last_accessed_us == kCreatedUs - 411935);
  }
  SUBCASE("other members are ignored, a repeated member's last value counts") {
    const auto r = RecordBuilder()
                       .Append("ttl_hours", "24")
                       .Append("extra", "{\"deep\": [1, {\"x\": null}]}")
                       .Append("sandbox_id", "\"other\"")
                       .Parse();
    REQUIRE(r.has_value());
    CHECK(r->sandbox_id == "other");
  }
  SUBCASE("whitespace around the object") {
    CHECK(ParseChukRecord(" \n\t" + RecordBuilder().Json() + "\r\n ").has_value());
  }
}

TEST_CASE("ParseChukRecord: anything else stays a plain string") {
  const std::vector<RecordBuilder> bad = {
      RecordBuilder().Drop("session_id"),
      RecordBuilder().Set("session_id", "\"\""),
      RecordBuilder().Set("session_id", "42"),
      RecordBuilder().Set("session_id", "null"),
      RecordBuilder().Drop("sandbox_id"),
      RecordBuilder().Set("sandbox_id", "\"\""),
      RecordBuilder().Set("sandbox_id", "[\"demo\"]"),
      RecordBuilder().Set("user_id", "7"),
      RecordBuilder().Set("user_id", "false"),
      RecordBuilder().Drop("created_at"),
      RecordBuilder().Set("created_at", "1795642113.411935"),
      RecordBuilder().Set("created_at", "\"yesterday\""),
      RecordBuilder().Set("created_at", "\"2026-02-30T00:00:00Z\""),
      RecordBuilder().Drop("expires_at"),
      RecordBuilder().Set("expires_at", "null"),
      RecordBuilder().Drop("last_accessed"),
      RecordBuilder().Set("last_accessed", "\"2026-11-25T21:28:33.411935Zjunk\""),
      RecordBuilder().Set("status", "null"),
      RecordBuilder().Set("status", "1"),
      RecordBuilder().Set("custom_metadata", "null"),
      RecordBuilder().Set("custom_metadata", "[]"),
      RecordBuilder().Set("custom_metadata", "\"{}\""),
      RecordBuilder().Append("session_id", "\"\""),  // the last value counts
  };
  for (const RecordBuilder& builder : bad) {
    CAPTURE(builder.Json());
    CHECK(builder.Parse() == std::nullopt);
  }
  const std::string good = RecordBuilder().Json();
  for (const std::string& json : {std::string(), std::string("hello"), std::string("[") + good + "]",
                                  good + " x", good + good, good.substr(0, good.size() - 1),
                                  std::string("\"") + good + "\""}) {
    CAPTURE(json);
    CHECK(ParseChukRecord(json) == std::nullopt);
  }
}

TEST_CASE("deviations: what json.loads accepts beyond RFC 8259 is rejected") {
  // Each text on its own, as a member value, on either side of a merge, and
  // in a chuk record's custom_metadata (the record then stays a string).
  for (std::string_view json : kPythonOnly) {
    CAPTURE(json);
    const std::string member = "{\"v\": " + std::string(json) + "}";
    CHECK(Compact(json) == "ERR invalid JSON");
    CHECK(Normalize(member) == "ERR invalid JSON");
    CHECK(Merge("{}", member) == "ERR invalid JSON");
    CHECK(Merge(member, "{}") == "ERR invalid JSON");
    CHECK(RecordBuilder().Set("custom_metadata", member).Parse() == std::nullopt);
    CHECK(RecordBuilder().Set("user_id", std::string(json)).Parse() == std::nullopt);
  }
  // The neighbours of what is refused still read: floats just inside double
  // range or below it (0.0, as Python), code points around the surrogates.
  CHECK(Compact("[1.7976931348623158e308, 1e308, 0e308, 1e-400, -0.0e308]") ==
        "[1.7976931348623157e+308,1e+308,0.0,0.0,-0.0]");
  CHECK(Compact("\"\\ud7ff\\ue000\\ud800\\udc00\\udbff\\udfff\"") ==
        "\"\\ud7ff\\ue000\\ud800\\udc00\\udbff\\udfff\"");
}

}  // namespace
