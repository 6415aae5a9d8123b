// Human-readable rendering of protocol results for portctl: order blocks, tables, the history
// timeline, daemon status. Pure: JSON in, text out, 80 columns, colour only when asked.
#pragma once
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace portctl {

struct style {
  bool color = false;  // ANSI colours (only on a TTY, never with NO_COLOR)
  int width = 80;
};

// The order as a block of "label: value" lines.
std::string render_order_block(const boost::json::object& order, const style&);
// One line per order: ID NUMBER KIND STATE ! UPDATED REF; the heading line (and "(no orders)"
// for none) only with `heading` (list --all prints it once, before its first page).
std::string render_order_table(const boost::json::array& orders, const style&, bool heading = true);
// The history as a timeline: when, who, what happened, remote status, the carrier's message.
std::string render_timeline(const boost::json::array& events, const style&);
// One event as one (wrapped) entry of a timeline, with its order id (for watch and events).
std::string render_event_line(const boost::json::object& event, const style&, bool with_order);
std::string render_status(const boost::json::object& status, const style&);
std::string render_group(const boost::json::object& summary, const style&);
// Orders needing a human, oldest first, each with its reason and the next command to try.
std::string render_attention(boost::json::array orders, const style&);
// The portctl command that most likely moves an order needing attention forward.
std::string suggested_command(const boost::json::object& order);

// "2026-11-26T17:00:00.000Z" -> "2026-11-26 17:00:00Z"; "" / null -> "-".
std::string short_time(const boost::json::value&);
// Text wrapped to `width` with every line prefixed by `indent`.
std::string wrap(std::string_view text, std::string_view indent, int width);

}  // namespace portctl
