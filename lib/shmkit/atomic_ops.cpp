#include "shmkit/atomic_ops.hpp"

#include "shmkit/mapping.hpp"

#include <fmt/format.h>

namespace shmkit {

namespace {

template <typename T> std::uint64_t load_as(const void *p) noexcept {
  return __atomic_load_n(static_cast<const T *>(p), __ATOMIC_SEQ_CST);
}

template <typename T>
AtomicResult apply_as(void *p, AtomicOp op, std::uint64_t operand,
                      std::uint64_t expected) noexcept {
  auto *word = static_cast<T *>(p);
  const auto value = static_cast<T>(operand);
  switch (op) {
  case AtomicOp::cas: {
    auto seen = static_cast<T>(expected);
    // On failure the builtin writes the value it found into `seen`: that is `previous`.
    bool swapped =
        __atomic_compare_exchange_n(word, &seen, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return {seen, swapped};
  }
  case AtomicOp::add:
    return {__atomic_fetch_add(word, value, __ATOMIC_SEQ_CST), true};
  case AtomicOp::bit_or:
    return {__atomic_fetch_or(word, value, __ATOMIC_SEQ_CST), true};
  case AtomicOp::bit_and:
    return {__atomic_fetch_and(word, value, __ATOMIC_SEQ_CST), true};
  case AtomicOp::bit_xor:
    return {__atomic_fetch_xor(word, value, __ATOMIC_SEQ_CST), true};
  }
  return {0, false};
}

} // namespace

Result<void> check_atomic_access(std::uint64_t offset, unsigned width) {
  if (width != 1 && width != 2 && width != 4 && width != 8)
    return make_error(Errc::invalid_argument,
                      fmt::format("cannot access {} bytes atomically", width));
  if (offset % width != 0)
    return make_error(Errc::invalid_argument,
                      fmt::format("offset {} is not aligned to {} bytes", offset, width));
  return {};
}

std::uint64_t atomic_load_word(const void *p, unsigned width) noexcept {
  switch (width) {
  case 1:
    return load_as<std::uint8_t>(p);
  case 2:
    return load_as<std::uint16_t>(p);
  case 4:
    return load_as<std::uint32_t>(p);
  case 8:
    return load_as<std::uint64_t>(p);
  default:
    return 0;
  }
}

AtomicResult atomic_apply_word(void *p, unsigned width, AtomicOp op, std::uint64_t operand,
                               std::uint64_t expected) noexcept {
  switch (width) {
  case 1:
    return apply_as<std::uint8_t>(p, op, operand, expected);
  case 2:
    return apply_as<std::uint16_t>(p, op, operand, expected);
  case 4:
    return apply_as<std::uint32_t>(p, op, operand, expected);
  case 8:
    return apply_as<std::uint64_t>(p, op, operand, expected);
  default:
    return {0, false};
  }
}

bool guarded_load_word(const void *p, unsigned width, std::uint64_t &out) noexcept {
  std::uint64_t value = 0;
  if (!sigbus_guarded([&] { value = atomic_load_word(p, width); }))
    return false;
  out = value;
  return true;
}

bool guarded_apply_word(void *p, unsigned width, AtomicOp op, std::uint64_t operand,
                        std::uint64_t expected, AtomicResult &out) noexcept {
  AtomicResult result;
  if (!sigbus_guarded([&] { result = atomic_apply_word(p, width, op, operand, expected); }))
    return false;
  out = result;
  return true;
}

} // namespace shmkit
