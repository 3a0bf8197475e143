// The backend factory: the only place that names all the backends (lib/README.md, the dependency rule).
#include "shmkit/backend.hpp"

#include "shmkit/fd_object.hpp"
#include "shmkit/file_backend.hpp"
#include "shmkit/memfd_backend.hpp"
#include "shmkit/posix_backend.hpp"
#include "shmkit/sysv_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace shmkit {

Result<std::vector<SegmentInfo>> Backend::list() {
  std::vector<SegmentInfo> rows;
  auto done = for_each([&rows](SegmentInfo &&info) { rows.push_back(std::move(info)); });
  if (!done)
    return std::move(done).error();
  return rows;
}

std::unique_ptr<Backend> make_backend(Kind kind, const Paths &paths) {
  switch (kind) {
  case Kind::sysv:
    return std::make_unique<SysvBackend>(paths);
  case Kind::posix:
    return std::make_unique<PosixBackend>(paths);
  case Kind::file:
    return std::make_unique<FileBackend>(paths);
  case Kind::memfd:
    return std::make_unique<MemfdBackend>(paths);
  }
  return nullptr;
}

namespace {

constexpr std::uint64_t k_no_limit = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t k_off_t_max = std::numeric_limits<std::int64_t>::max();

constexpr std::array<KindTraits, 4> k_traits = {{
    {Kind::sysv, /*listed_by_default=*/true, /*listed_on_request=*/true, /*removable=*/true,
     /*kernel_counts_attaches=*/true, /*ordered_by_id=*/true, MatchSubject::key,
     /*fixed_size=*/true, /*takes_hugetlb=*/true, /*takes_allocate=*/false,
     /*max_size=*/k_no_limit, /*scope=*/Scope::ipc_namespace},
    {Kind::posix, true, true, true, false, false, MatchSubject::name, false, false, true,
     k_off_t_max, Scope::dev_shm},
    {Kind::file, false, false, true, false, false, MatchSubject::name, false, false, true,
     k_off_t_max, Scope::none},
    // memfd: found by a /proc scan, so only with --type memfd; never removed, never created.
    {Kind::memfd, false, true, false, false, false, MatchSubject::name, false, false, false,
     k_off_t_max, Scope::none},
}};

} // namespace

std::span<const KindTraits> kind_traits() { return k_traits; }

const KindTraits &traits_of(Kind kind) {
  for (const auto &traits : k_traits)
    if (traits.kind == kind)
      return traits;
  return k_traits[0]; // unreachable: every Kind has a row (checked by a unit test)
}

bool lists_kind(const KindTraits &traits, std::span<const Kind> asked) {
  if (asked.empty())
    return traits.listed_by_default;
  return (traits.listed_by_default || traits.listed_on_request) &&
         std::find(asked.begin(), asked.end(), traits.kind) != asked.end();
}

std::string match_text(const SegmentInfo &info) {
  if (traits_of(info.kind).match_subject == MatchSubject::key)
    return fmt::format("0x{:08x}", info.key.value_or(0));
  std::string name = info.name.value_or("");
  if (info.kind == Kind::posix && !name.empty() && name.front() == '/')
    name.erase(0, 1);
  return name;
}

Result<void> check_creatable(const SegmentRef &ref) {
  if (ref.by == SegmentRef::By::id)
    return make_error(Errc::invalid_argument,
                      fmt::format("cannot create {}: the kernel chooses ids; use key:N, key:auto, "
                                  "key:private or ftok:PATH",
                                  ref.to_string()));
  if (ref.by == SegmentRef::By::memfd)
    return make_error(Errc::invalid_argument,
                      fmt::format("cannot create {}: memfd objects are made by the process that "
                                  "holds them (memfd_create(2)); use posix:NAME for a named "
                                  "object",
                                  ref.to_string()));
  if (ref.kind == Kind::posix && is_semaphore_name(ref.text))
    return make_error(Errc::invalid_argument,
                      fmt::format("cannot create {}: names starting with 'sem.' belong to POSIX "
                                  "semaphores",
                                  ref.to_string()));
  return {};
}

Backend &BackendSet::of(Kind kind) {
  for (auto &backend : m_backends)
    if (backend->kind() == kind)
      return *backend;
  m_backends.push_back(make_backend(kind, m_paths));
  m_backends.back()->set_needs(m_needs);
  return *m_backends.back();
}

void BackendSet::set_needs(ListNeeds needs) {
  m_needs = needs;
  for (auto &backend : m_backends)
    backend->set_needs(needs);
}

} // namespace shmkit
