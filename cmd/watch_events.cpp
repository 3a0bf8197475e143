#include "watch_events.hpp"

#include "output.hpp"

#include <fmt/format.h>

#include <ctime>
#include <iterator>

namespace shmkit::cli {

namespace {

void append_hex_bytes(std::string &out, std::span<const std::byte> bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  for (std::byte b : bytes) {
    auto u = std::to_integer<unsigned>(b);
    out.push_back(k_digits[u >> 4]);
    out.push_back(k_digits[u & 15]);
  }
}

} // namespace

Stamp stamp_now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::gmtime_r(&ts.tv_sec, &tm);
  long micros = ts.tv_nsec / 1000;
  return {fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros),
          fmt::format("{}.{:06}", static_cast<long long>(ts.tv_sec), micros)};
}

void EventPrinter::change(const Stamp &when, const ChangeSet &set, const Change &c) {
  std::string &out = Stdout::get().buffer();
  auto old_bytes = set.old_bytes(c);
  auto new_bytes = set.new_bytes(c);
  if (m_format.json) {
    JsonWriter json(out);
    head(json, when, "change", c.offset, c.length);
    json.key("old");
    value(json, old_bytes);
    json.key("new");
    value(json, new_bytes);
    json.end().line();
  } else {
    fmt::format_to(std::back_inserter(out), "{} change offset={} length={} old=", when.iso,
                   c.offset, c.length);
    value(out, old_bytes);
    out += " new=";
    value(out, new_bytes);
    out += '\n';
  }
  Stdout::get().maybe_flush();
}

void EventPrinter::field_change(const Stamp &when, std::string_view path, std::uint64_t offset,
                                const LayoutField &field, std::span<const std::byte> old_record,
                                std::span<const std::byte> new_record) {
  std::string &out = Stdout::get().buffer();
  if (m_format.json) {
    JsonWriter json(out);
    head(json, when, "change", offset, field.size);
    json.field("field", path).key("old");
    field_value(json, field, old_record);
    json.key("new");
    field_value(json, field, new_record);
    json.end().line();
  } else {
    fmt::format_to(std::back_inserter(out), "{} change field={} offset={} length={} old={} new={}\n",
                   when.iso, path, offset, field.size,
                   format_field(field, old_record, m_format.endian),
                   format_field(field, new_record, m_format.endian));
  }
  Stdout::get().maybe_flush();
}

void EventPrinter::lifecycle(const Stamp &when, std::string_view event,
                             std::optional<std::uint64_t> size) {
  std::string &out = Stdout::get().buffer();
  if (m_format.json) {
    JsonWriter json(out);
    head(json, when, event, m_watcher.offset(), m_watcher.length());
    json.key("old").null().key("new").null();
    if (size)
      json.field("size", *size);
    json.end().line();
  } else {
    fmt::format_to(std::back_inserter(out), "{} {} offset={} length={}", when.iso, event,
                   m_watcher.offset(), m_watcher.length());
    if (size)
      fmt::format_to(std::back_inserter(out), " size={}", *size);
    out += '\n';
  }
}

void EventPrinter::head(JsonWriter &json, const Stamp &when, std::string_view event,
                        std::uint64_t offset, std::uint64_t length) const {
  json.object().field("time", when.iso);
  json.key("time_epoch").number_text(when.epoch);
  json.field("event", event).field("offset", offset).field("length", length);
}

void EventPrinter::value(std::string &out, std::span<const std::byte> bytes) const {
  if (m_format.type)
    out += format_value(bytes, *m_format.type, m_format.endian);
  else
    append_hex_bytes(out, bytes);
}

void EventPrinter::value(JsonWriter &json, std::span<const std::byte> bytes) const {
  if (m_format.type) {
    json.number_text(format_value(bytes, *m_format.type, m_format.endian));
    return;
  }
  std::string hex;
  append_hex_bytes(hex, bytes);
  json.string(hex);
}

void EventPrinter::field_value(JsonWriter &json, const LayoutField &field,
                               std::span<const std::byte> record) const {
  const FieldValue v = decode_field(field, record, m_format.endian);
  if (const auto *b = std::get_if<bool>(&v)) {
    json.boolean(*b);
    return;
  }
  if (const auto *text = std::get_if<std::string>(&v)) {
    json.string(*text);
    return;
  }
  if (field.kind == FieldKind::pointer) {
    json.string(format_field(field, record, m_format.endian));
    return;
  }
  // Integers and floats, formatted as read prints them (inf and nan become strings).
  json.number_text(format_field(field, record, m_format.endian));
}

} // namespace shmkit::cli
