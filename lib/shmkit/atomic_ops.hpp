// Atomic operations on one naturally aligned 1/2/4/8-byte word of shared memory, with the
// instructions a C program's __atomic_* builtins use (seq_cst), so that shmkit and the
// program agree on the same memory. The backends' Handle::load_atomic/atomic_update check the
// bounds and find the word; this file does the operation, once for all of them.
#pragma once

#include "shmkit/error.hpp"

#include <cstdint>

namespace shmkit {

/// A read-modify-write operation (Handle::atomic_update).
enum class AtomicOp {
  cas,     ///< __atomic_compare_exchange_n(p, &expected, operand): swaps when *p == expected
  add,     ///< __atomic_fetch_add (wraps modulo 2^bits; a two's complement operand subtracts)
  bit_or,  ///< __atomic_fetch_or
  bit_and, ///< __atomic_fetch_and
  bit_xor, ///< __atomic_fetch_xor
};

/// What an atomic_update did.
struct AtomicResult {
  std::uint64_t previous = 0; ///< the word before the operation, zero-extended
  bool swapped = true;        ///< cas: whether it stored (previous == expected); others: true
};

/// Whether `width` is 1, 2, 4 or 8 and `offset` a multiple of it. Fails with invalid_argument:
/// "cannot access 3 bytes atomically", "offset 6 is not aligned to 4 bytes".
Result<void> check_atomic_access(std::uint64_t offset, unsigned width);

/// One atomic load of the word at p (aligned, width 1/2/4/8), zero-extended. A bad width
/// loads nothing and returns 0. Raises SIGBUS like any access (see the guarded ones).
std::uint64_t atomic_load_word(const void *p, unsigned width) noexcept;

/// Applies `op` to the word at p (aligned, width 1/2/4/8); `operand` and `expected` are
/// truncated to the width. A bad width changes nothing and returns {0, false}.
AtomicResult atomic_apply_word(void *p, unsigned width, AtomicOp op, std::uint64_t operand,
                               std::uint64_t expected) noexcept;

/// atomic_load_word, turning a SIGBUS (a POSIX object or file truncated under the mapping)
/// into a false return with `out` untouched. One thread at a time, as guarded_copy.
bool guarded_load_word(const void *p, unsigned width, std::uint64_t &out) noexcept;

/// atomic_apply_word, turning a SIGBUS into a false return; then nothing was changed (the
/// fault happens on the access, before any store).
bool guarded_apply_word(void *p, unsigned width, AtomicOp op, std::uint64_t operand,
                        std::uint64_t expected, AtomicResult &out) noexcept;

} // namespace shmkit
