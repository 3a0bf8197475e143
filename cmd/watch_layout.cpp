#include "watch_layout.hpp"

#include "shmkit/address.hpp"
#include "shmkit/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace shmkit::cli {

namespace {

Error usage(std::string message) {
  return make_error(Errc::invalid_argument, std::move(message));
}

struct OpSpelling {
  std::string_view text;
  CompareOp op;
};
// Two-character operators first, so that "<=" is not read as "<" and "=VALUE".
constexpr OpSpelling k_ops[] = {{"!=", CompareOp::ne}, {"<=", CompareOp::le},
                                {">=", CompareOp::ge}, {"=", CompareOp::eq},
                                {"<", CompareOp::lt},  {">", CompareOp::gt}};

// "[3].a.b" -> record 3 and "a.b"; "a.b" -> no record.
Result<std::optional<std::uint64_t>> split_record(std::string_view &path, std::string_view text) {
  if (path.empty() || path[0] != '[')
    return std::optional<std::uint64_t>();
  const auto close = path.find("].");
  if (close == std::string_view::npos)
    return usage(fmt::format("unknown field '{}' in --until", escape_bytes(text)));
  auto index = parse_uint(path.substr(1, close - 1), "record index");
  if (!index)
    return usage(fmt::format("unknown field '{}' in --until", escape_bytes(text)));
  path.remove_prefix(close + 2);
  return std::optional<std::uint64_t>(*index);
}

} // namespace

Result<FieldUntil> parse_field_until(std::string_view text, const Layout &layout,
                                     std::uint64_t records) {
  const auto at = text.find_first_of("=!<>");
  if (at == std::string_view::npos || at == 0)
    return usage(fmt::format("--until '{}' needs FIELD=VALUE (or !=, <, >, <=, >=) with --layout",
                             escape_bytes(text)));
  FieldUntil until;
  std::string_view rest = text.substr(at);
  const OpSpelling *spelled = nullptr;
  for (const OpSpelling &o : k_ops)
    if (rest.starts_with(o.text)) {
      spelled = &o;
      break;
    }
  if (spelled == nullptr)
    return usage(fmt::format("--until '{}' needs FIELD=VALUE (or !=, <, >, <=, >=) with --layout",
                             escape_bytes(text)));
  until.op = spelled->op;
  std::string_view path = text.substr(0, at);
  auto record = split_record(path, text.substr(0, at));
  if (!record)
    return std::move(record).error();
  until.record = *record;
  if (until.record && *until.record >= records)
    return usage(fmt::format("record {} in --until is past the {} watched (--count)",
                             *until.record, records));
  const LayoutField *field = layout.find(path);
  if (field == nullptr)
    return usage(fmt::format("unknown field '{}' in --until", escape_bytes(text.substr(0, at))));
  until.field = static_cast<std::size_t>(field - layout.fields.data());
  auto value = parse_field_value(*field, rest.substr(spelled->text.size()));
  if (!value)
    return std::move(value).error();
  until.value = std::move(*value);
  return until;
}

FieldTracker::FieldTracker(const Layout &layout, std::uint64_t records, std::uint64_t base)
    : m_layout(layout), m_records(records), m_base(base) {
  m_by_offset.resize(layout.fields.size());
  for (std::size_t i = 0; i < m_by_offset.size(); ++i) {
    m_by_offset[i] = i;
    m_widest = std::max(m_widest, layout.fields[i].size);
  }
  std::stable_sort(m_by_offset.begin(), m_by_offset.end(), [&](std::size_t a, std::size_t b) {
    return layout.fields[a].offset < layout.fields[b].offset;
  });
}

void FieldTracker::start(std::span<const std::byte> snapshot) {
  m_old.assign(snapshot.begin(), snapshot.end());
  m_new = m_old;
}

const std::vector<FieldChange> &FieldTracker::changed(const ChangeSet &set) {
  m_changed.clear();
  const std::uint64_t size = m_layout.size;
  for (const Change &c : set.changes()) {
    const std::uint64_t s = c.offset - m_base;
    const std::uint64_t e = s + c.length;
    auto bytes = set.new_bytes(c);
    std::memcpy(m_new.data() + s, bytes.data(), bytes.size());
    for (std::uint64_t r = s / size; r < m_records && r * size < e; ++r) {
      const std::uint64_t rs = std::max(s, r * size) - r * size;
      const std::uint64_t re = std::min(e, (r + 1) * size) - r * size;
      // The leaves that start before `re`, walking back while one could still reach `rs`.
      auto it = std::lower_bound(m_by_offset.begin(), m_by_offset.end(), re,
                                 [&](std::size_t i, std::uint64_t v) {
                                   return m_layout.fields[i].offset < v;
                                 });
      while (it != m_by_offset.begin()) {
        const LayoutField &f = m_layout.fields[*--it];
        if (f.offset + m_widest <= rs)
          break;
        if (f.offset + f.size > rs)
          m_changed.push_back({r, &f});
      }
    }
  }
  auto key = [](const FieldChange &x) { return std::pair(x.record, x.field->offset); };
  std::sort(m_changed.begin(), m_changed.end(), [&](const FieldChange &a, const FieldChange &b) {
    return key(a) < key(b) || (key(a) == key(b) && a.field < b.field);
  });
  m_changed.erase(std::unique(m_changed.begin(), m_changed.end(),
                              [](const FieldChange &a, const FieldChange &b) {
                                return a.record == b.record && a.field == b.field;
                              }),
                  m_changed.end());
  return m_changed;
}

std::span<const std::byte> FieldTracker::old_record(std::uint64_t record) const {
  return std::span(m_old).subspan(record * m_layout.size, m_layout.size);
}

std::span<const std::byte> FieldTracker::new_record(std::uint64_t record) const {
  return std::span(m_new).subspan(record * m_layout.size, m_layout.size);
}

void FieldTracker::commit() { m_old = m_new; }

bool FieldTracker::satisfies(const FieldUntil &until, std::uint64_t record,
                             Endian endian) const {
  const LayoutField &f = m_layout.fields[until.field];
  const auto order = compare_field_values(decode_field(f, new_record(record), endian), until.value);
  switch (until.op) {
  case CompareOp::eq:
    return order == std::partial_ordering::equivalent;
  case CompareOp::ne:
    return order != std::partial_ordering::equivalent;
  case CompareOp::lt:
    return order == std::partial_ordering::less;
  case CompareOp::gt:
    return order == std::partial_ordering::greater;
  case CompareOp::le:
    return order == std::partial_ordering::less || order == std::partial_ordering::equivalent;
  case CompareOp::ge:
    return order == std::partial_ordering::greater || order == std::partial_ordering::equivalent;
  }
  return false;
}

bool FieldTracker::reached(const FieldUntil &until, Endian endian) const {
  if (until.record)
    return satisfies(until, *until.record, endian);
  for (std::uint64_t r = 0; r < m_records; ++r)
    if (satisfies(until, r, endian))
      return true;
  return false;
}

bool FieldTracker::reached(const FieldUntil &until, const FieldChange &change,
                           Endian endian) const {
  if (change.field != &m_layout.fields[until.field] ||
      (until.record && *until.record != change.record))
    return false;
  return satisfies(until, change.record, endian);
}

std::string FieldTracker::path(const FieldChange &change) const {
  if (m_records == 1)
    return change.field->path;
  return fmt::format("[{}].{}", change.record, change.field->path);
}

std::uint64_t FieldTracker::offset(const FieldChange &change) const {
  return m_base + change.record * m_layout.size + change.field->offset;
}

} // namespace shmkit::cli
