// The event lines of `shmkit watch`, as text or NDJSON (shmkit-watch(1), EVENTS). The one
// place that formats them, so that moving --json onto the shared JSON writer stays local.
#pragma once

#include "json.hpp"

#include "shmkit/layout.hpp"
#include "shmkit/typed.hpp"
#include "shmkit/watcher.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shmkit::cli {

/// When an event was seen, in the two forms printed.
struct Stamp {
  std::string iso;   ///< 2026-05-01T12:00:00.123456Z
  std::string epoch; ///< 1777636800.123456
};

/// The wall-clock time now.
Stamp stamp_now();

/// How values are shown: hex bytes, or typed values of `type`.
struct EventFormat {
  bool json = false;
  std::optional<ValueType> type;
  Endian endian = Endian::native;
};

/// Appends event lines to the stdout buffer.
class EventPrinter {
public:
  EventPrinter(const EventFormat &format, const Watcher &watcher)
      : m_format(format), m_watcher(watcher) {}

  /// One `change` line, with the old and the new value (flushes when the buffer is large).
  void change(const Stamp &when, const ChangeSet &set, const Change &c);
  /// One `change` line of --layout: a leaf field (its path, absolute offset and size) with its
  /// whole old and new value, typed (shmkit-read(1) LAYOUTS).
  void field_change(const Stamp &when, std::string_view path, std::uint64_t offset,
                    const LayoutField &field, std::span<const std::byte> old_record,
                    std::span<const std::byte> new_record);
  /// A `truncated`, `removed`, `replaced` or `timeout` line: the whole region, no values.
  void lifecycle(const Stamp &when, std::string_view event, std::optional<std::uint64_t> size);

private:
  /// Opens the JSON object of an event: time, time_epoch, event, offset, length.
  void head(JsonWriter &json, const Stamp &when, std::string_view event, std::uint64_t offset,
            std::uint64_t length) const;
  /// The value in text, typed or hex.
  void value(std::string &out, std::span<const std::byte> bytes) const;
  /// The value in JSON: a number for typed values (inf/nan as strings), else a hex string.
  void value(JsonWriter &json, std::span<const std::byte> bytes) const;
  /// A leaf's value in JSON: numbers, true/false, strings for text and pointers.
  void field_value(JsonWriter &json, const LayoutField &field,
                   std::span<const std::byte> record) const;

  EventFormat m_format;
  const Watcher &m_watcher;
};

} // namespace shmkit::cli
