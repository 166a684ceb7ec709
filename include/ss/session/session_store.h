// SessionStore: the session lifecycle on top of the Keyspace. A session is
// the key <prefix><session_id> holding either a binary record (record.h,
// what SESSION.ALLOCATE writes) or the JSON text a chuk-sessions client wrote
// with SETEX (chuk_record.h); both are sessions to every operation here.
//
// The store is the Keyspace's EntryIndex for the prefix, so whichever command
// creates, rewrites, deletes, renames or expires a session key, the
// per-sandbox and per-user indexes change in the same moment. Tenants are
// isolated: every operation names a sandbox, and a session of another sandbox
// behaves exactly like a missing one.
//
// Entry pointers and field views are borrowed: valid until the next change
// of the keyspace. Loop thread only. Knows nothing of RESP.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ss/session/chuk_record.h"
#include "ss/session/ids.h"
#include "ss/session/record.h"
#include "ss/status.h"
#include "ss/store/keyspace.h"
#include "ss/store/table.h"

namespace ss::session {

struct SandboxStats {
  uint64_t allocated = 0;
  uint64_t validated = 0;
  uint64_t validate_failed = 0;
  uint64_t updated = 0;
  uint64_t extended = 0;
  uint64_t deleted = 0;
  uint64_t revoked = 0;
  uint64_t expired = 0;
  uint64_t csrf_issued = 0;
  uint64_t csrf_rejected = 0;
  void Add(const SandboxStats& o);
};

struct AllocateRequest {
  std::string_view sandbox;
  bool has_user = false;
  std::string_view user;
  int64_t ttl_s = 86400;
  int64_t idle_s = 0;               // 0: no sliding expiry
  bool has_id = false;
  std::string_view id;
  IdFormat format = IdFormat::kGeneric;
  std::string_view metadata_py = "{}";  // an object in Py format
};

// A live session found by Lookup. Not copyable: fields may view into owned.
class Session {
 public:
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Entry* entry = nullptr;
  std::string_view id;
  SessionFields fields;
  bool binary = false;              // a record (else chuk JSON text in owned)
  std::optional<ChukRecord> owned;
};

class SessionStore final : public EntryIndex {
 public:
  // Becomes ks's index for keys starting with prefix; detaches on destruction.
  SessionStore(Keyspace& ks, std::string prefix);
  ~SessionStore() override;
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  const std::string& prefix() const { return prefix_; }
  std::string KeyOf(std::string_view id) const { return prefix_ + std::string(id); }

  // Reads entry e (kSession record or chuk JSON under the prefix) into *out.
  // False if it is not a session.
  bool Describe(Entry* e, Session* out) const;
  // The live session `id` of `sandbox` in db, or false (missing, expired,
  // not a session, or another sandbox's).
  bool Lookup(int db, std::string_view sandbox, std::string_view id, Session* out);

  // SESSION.ALLOCATE. The new (or reused) id, viewing req.id or a buffer of
  // the store valid until the next Allocate; error "session id already in
  // use" when req.id is live in another sandbox.
  Result<std::string_view> Allocate(int db, const AllocateRequest& req);
  // SESSION.VALIDATE: marks the session accessed (sliding its deadline when
  // it has an idle timeout). Counts validated / validate_failed.
  bool Validate(int db, std::string_view sandbox, std::string_view id);
  // SESSION.UPDATE: patch is a JSON object (any JSON text; checked here).
  // Result false = no such session. Error for bad JSON or metadata over
  // max_meta bytes.
  Result<bool> Update(int db, std::string_view sandbox, std::string_view id,
                      std::string_view patch, bool replace, size_t max_meta);
  // SESSION.EXTEND: the new TTL in ms, or nullopt when there is no session.
  std::optional<int64_t> Extend(int db, std::string_view sandbox, std::string_view id,
                                int64_t seconds);
  bool Delete(int db, std::string_view sandbox, std::string_view id);
  // SESSION.REVOKE ... USER: sessions deleted; their keys are appended to
  // *deleted_keys when given (for keyspace events).
  size_t Revoke(int db, std::string_view sandbox, std::string_view user,
                std::vector<std::string>* deleted_keys = nullptr);
  // SESSION.LIST: calls fn with each id of the page; returns the next cursor
  // (0 when done). SCAN's guarantee: a session present for the whole
  // iteration is reported at least once.
  uint64_t List(int db, std::string_view sandbox, const std::string_view* user,
                uint64_t cursor, size_t count, const std::function<void(std::string_view)>& fn);
  // SESSION.CLEANUP: sessions past their deadline purged now.
  size_t Cleanup(int db, const std::string_view* sandbox);

  struct Totals {
    uint64_t active_sessions = 0;
    uint64_t users = 0;
    SandboxStats stats;
  };
  Totals StatsOf(int db, const std::string_view* sandbox) const;
  // Counters of a sandbox (created on first use), for the CSRF commands.
  SandboxStats& Counters(int db, std::string_view sandbox);
  // Counters of a sandbox that exists, else nullptr (failures of unknown
  // sandboxes are not recorded, so they cannot make the server keep state).
  SandboxStats* FindCounters(int db, std::string_view sandbox);

  // Marks s accessed now (and slides its deadline when it has an idle
  // timeout), turning a chuk JSON record into a binary one first.
  void Touch(int db, Session& s);

  // EntryIndex.
  void OnEntryAdded(int db, Entry* e, uint64_t key_hash) override;
  void OnEntryRemoved(int db, Entry* e, Removal why) override;
  void OnDatabaseFlushed(int db) override;
  void OnDatabasesSwapped(int a, int b) override;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return EntryTable::Hash(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  // Per sandbox: its sessions (borrowed keyspace entries) and, per user, the
  // list of that user's sessions. A user list is itself an Entry owned by the
  // store (key: the user id; value: the session Entry pointers, unordered),
  // so a user costs one small block and one table slot.
  struct Sandbox {
    Sandbox() = default;
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;
    ~Sandbox();
    // Grown 2x rather than the keyspace's 1.25x: an ALLOCATE inserts into
    // both, and the fewer moves per entry are worth ~4 bytes a slot here.
    EntryTable sessions{EntryTable::Growth::kFast};
    EntryTable users{EntryTable::Growth::kFast};
    SandboxStats stats;
  };
  using SandboxMap = StringMap<std::unique_ptr<Sandbox>>;

  static void AddToUser(Sandbox& sb, std::string_view user, Entry* e) {
    AddToUser(sb, user, EntryTable::Hash(user), e);
  }
  // The same with the user id's EntryTable::Hash() already computed.
  static void AddToUser(Sandbox& sb, std::string_view user, uint64_t user_hash, Entry* e);
  static void RemoveFromUser(Sandbox& sb, std::string_view user, const Entry* e);
  Sandbox* FindSandbox(int db, std::string_view sandbox) const;
  Sandbox& GetSandbox(int db, std::string_view sandbox);
  // Rewrites s as a binary record from f, with the given key deadline.
  Entry* Rewrite(int db, Session& s, const SessionFields& f, int64_t deadline_ms);
  int64_t NowUs() const { return ks_.clock().NowUs(); }

  Keyspace& ks_;
  std::string prefix_;
  std::vector<SandboxMap> dbs_;
  // Allocate's working buffers, reused so that each call does not allocate
  // them afresh (contents meaningless between calls).
  std::string record_scratch_;
  std::string key_scratch_;
  // Set by Allocate around its insert: the record it is adding and the
  // sandbox it goes to, so OnEntryAdded indexes the new entry without
  // decoding the record or looking the sandbox up again.
  const SessionFields* adding_fields_ = nullptr;
  uint64_t adding_user_hash_ = 0;
  Sandbox* adding_to_ = nullptr;
};

}  // namespace ss::session
