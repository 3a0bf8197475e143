// The STATE and REASON columns of `shmkit ls` (shmkit-ls(1)).
#include "ls_state.hpp"

#include "ls_columns.hpp"
#include "ls_holders.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/users.hpp"

#include <chrono>

namespace shmkit::cli {

StateCache::StateCache(const Paths &paths) : creators(paths), self(proc_self_pid(paths)) {}

Classification classify_row(const SegmentInfo &s, RowContext &ctx) {
  if (!ctx.state_cache)
    ctx.state_cache = std::make_shared<StateCache>(ctx.where());
  if (ctx.now_ms == 0)
    ctx.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  ClassifyOptions options;
  options.grace = ctx.grace;
  options.now_ms = ctx.now_ms;
  options.self = ctx.state_cache->self;
  // The kernel's attach count needs no /proc scan (lib/README.md, kind traits).
  static const std::vector<const SegmentUser *> k_nobody;
  if (traits_of(s.kind).kernel_counts_attaches)
    return classify(s, k_nobody, 0, options, ctx.state_cache->creators);
  const std::size_t unreadable = ctx.scan().unreadable;
  // Every holder, not only those of --pid (holders_of() indexes the one scan).
  return classify(s, holders_of(s, ctx, false), unreadable, options, ctx.state_cache->creators);
}

Cell state_cell(const SegmentInfo &s, RowContext &ctx) {
  if (s.oddity == Oddity::not_regular)
    return {};
  return text_cell(state_name(classify_row(s, ctx).state));
}

Cell reason_cell(const SegmentInfo &s, RowContext &ctx) {
  if (s.oddity == Oddity::not_regular)
    return {};
  ctx.list_text = classify_row(s, ctx).reasons.text();
  return text_cell(std::string_view(ctx.list_text));
}

} // namespace shmkit::cli
