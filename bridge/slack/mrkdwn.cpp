#include "bridge/slack/mrkdwn.hpp"

#include <algorithm>
#include <cctype>

namespace hub::bridge::slack {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool handle_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Emphasis nests at most this deep; deeper markers stay literal (hostile input cannot recurse far).
constexpr int kMaxNesting = 4;

// Splits `text` into lines without their '\n'.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) return lines;
    start = nl + 1;
  }
}

// Whether `marker` at `open` can open an emphasis: it hugs the text after it, and does not sit
// inside a word (Slack's and CommonMark's rule alike, near enough).
bool can_open(std::string_view s, std::size_t open, std::string_view marker) {
  const std::size_t first = open + marker.size();
  return first < s.size() && !is_space(s[first]) && !(open > 0 && is_word(s[open - 1]));
}

// The first `marker` from `from` on that can close an emphasis (hugging the text before it, not
// followed by a word character), or npos.
std::size_t find_closer(std::string_view s, std::size_t from, std::string_view marker) {
  for (std::size_t j = s.find(marker, from); j != std::string_view::npos; j = s.find(marker, j + 1)) {
    if (is_space(s[j - 1])) continue;
    const std::size_t after = j + marker.size();
    if (after < s.size() && is_word(s[after])) continue;
    return j;
  }
  return std::string_view::npos;
}


// ---- Slack -> hub ----------------------------------------------------------------------------

// Slack escapes exactly these three.
std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      if (starts_with(s.substr(i), "&amp;")) { out += '&'; i += 4; continue; }
      if (starts_with(s.substr(i), "&lt;")) { out += '<'; i += 3; continue; }
      if (starts_with(s.substr(i), "&gt;")) { out += '>'; i += 3; continue; }
    }
    out += s[i];
  }
  return out;
}

// Plain (already decoded) text as Markdown that renders as exactly that text.
void append_literal(std::string& out, std::string_view text) {
  for (char c : text) {
    if (std::string_view("\\`*_~[]<>&#|!").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
}

bool safe_url(std::string_view url) {
  if (!(starts_with(url, "https://") || starts_with(url, "http://") || starts_with(url, "mailto:"))) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '\\';
  });
}

class SlackToMarkdown {
 public:
  explicit SlackToMarkdown(const HandleOf& handle_of) : handle_of_(handle_of) {}

  std::string run(std::string_view text) {
    // Code blocks first: between ``` pairs nothing is formatting, and a block may start mid-line.
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t open = text.find("```", i);
      const std::size_t close = open == std::string_view::npos ? open : text.find("```", open + 3);
      if (close == std::string_view::npos) {
        lines(text.substr(i));
        break;
      }
      lines(text.substr(i, open - i));
      std::string body = decode_entities(text.substr(open + 3, close - open - 3));
      if (!body.empty() && body.front() == '\n') body.erase(0, 1);
      if (!body.empty() && body.back() == '\n') body.pop_back();
      const std::size_t longest = longest_backtick_run(body);
      const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
      if (!out_.empty() && out_.back() != '\n') out_ += '\n';
      out_ += fence + '\n' + body + '\n' + fence + '\n';
      i = close + 3;
      if (i < text.size() && text[i] == '\n') ++i;
    }
    while (!out_.empty() && out_.back() == '\n') out_.pop_back();
    return std::move(out_);
  }

 private:
  static std::size_t longest_backtick_run(std::string_view s) {
    std::size_t best = 0, run = 0;
    for (char c : s) best = std::max(best, run = (c == '`' ? run + 1 : 0));
    return best;
  }

  void lines(std::string_view text) {
    if (text.empty()) return;
    const auto all = split_lines(text);
    for (std::size_t n = 0; n < all.size(); ++n) {
      std::string_view line = all[n];
      if (starts_with(line, "&gt;")) {  // a quote
        line.remove_prefix(4);
        if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        out_ += "> ";
      }
      inline_text(line);
      if (n + 1 < all.size()) out_ += '\n';
    }
  }

  // `depth`: the emphasis this text is inside. A search that found no partner is not repeated
  // for later openers (none can have one either), so a line of markers costs linear time.
  void inline_text(std::string_view s, int depth = 0) {
    bool exhausted[3] = {false, false, false};  // *, _, ~
    bool no_gt = false;  // no '>' left on the line
    for (std::size_t i = 0; i < s.size();) {
      const char c = s[i];
      if (c == '`') {
        const std::size_t close = s.find('`', i + 1);
        if (close != std::string_view::npos && close > i + 1) {
          out_ += '`' + decode_entities(s.substr(i + 1, close - i - 1)) + '`';
          i = close + 1;
          continue;
        }
      } else if (c == '<' && !no_gt) {
        const std::size_t close = s.find('>', i + 1);
        no_gt = close == std::string_view::npos;
        if (close != std::string_view::npos) {
          token(s.substr(i + 1, close - i - 1));
          i = close + 1;
          continue;
        }
      } else if (c == '&') {
        std::size_t used = 0;
        for (std::string_view e : {"&amp;", "&lt;", "&gt;"})
          if (starts_with(s.substr(i), e)) used = e.size();
        if (used) {
          append_literal(out_, decode_entities(s.substr(i, used)));
          i += used;
          continue;
        }
      } else if ((c == '*' || c == '_' || c == '~') && depth < kMaxNesting) {
        const int k = c == '*' ? 0 : c == '_' ? 1 : 2;
        const std::string_view marker(&s[i], 1);
        std::size_t close = std::string_view::npos;
        if (!exhausted[k] && can_open(s, i, marker)) {
          close = find_closer(s, i + 2, marker);
          exhausted[k] = close == std::string_view::npos;  // no later opener can find one either
        }
        if (close != std::string_view::npos) {
          const std::string_view md = c == '*' ? "**" : c == '_' ? "_" : "~~";
          out_ += md;
          inline_text(s.substr(i + 1, close - i - 1), depth + 1);
          out_ += md;
          i = close + 1;
          continue;
        }
      }
      append_literal(out_, std::string_view(&s[i], 1));
      ++i;
    }
  }

  // The inside of <…>: a mention, a channel, a special mention, or a link.
  void token(std::string_view t) {
    const std::size_t bar = t.find('|');
    const std::string_view target = t.substr(0, bar);
    const std::string label = bar == std::string_view::npos ? std::string() : decode_entities(t.substr(bar + 1));
    if (starts_with(target, "@")) {
      const std::string_view user = target.substr(1);
      if (auto handle = handle_of_ ? handle_of_(user) : std::nullopt) {
        out_ += '@' + *handle;
      } else {
        append_literal(out_, label.empty() ? std::string(user) : label);
      }
    } else if (starts_with(target, "#")) {
      append_literal(out_, "#" + (label.empty() ? std::string(target.substr(1)) : label));
    } else if (starts_with(target, "!")) {
      const std::string_view name = target.substr(1);
      if (name == "here" || name == "channel" || name == "everyone") {
        append_literal(out_, "@" + std::string(name));
      } else {
        append_literal(out_, label.empty() ? std::string(name) : label);  // <!date^…|fallback>, <!subteam^…|@team>
      }
    } else {
      const std::string url = decode_entities(target);
      if (!safe_url(url)) {
        append_literal(out_, label.empty() ? url : label);
      } else if (label.empty() || label == url) {
        out_ += '<' + url + '>';
      } else {
        out_ += '[';
        append_literal(out_, label);
        out_ += "](<" + url + ">)";
      }
    }
  }

  const HandleOf& handle_of_;
  std::string out_;
};

// ---- hub -> Slack ----------------------------------------------------------------------------

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
}

class MarkdownToSlack {
 public:
  explicit MarkdownToSlack(const SlackUserOf& slack_user_of) : slack_user_of_(slack_user_of) {}

  std::string run(std::string_view text) {
    const auto all = split_lines(text);
    std::string fence;  // the open code fence, empty outside a code block
    for (std::size_t n = 0; n < all.size(); ++n) {
      std::string_view line = all[n];
      std::string_view trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
      if (!fence.empty()) {
        if (starts_with(trimmed, fence)) {
          out_ += "```";
          fence.clear();
        } else {
          append_escaped(out_, line);
        }
      } else if (starts_with(trimmed, "```") || starts_with(trimmed, "~~~")) {
        fence = std::string(trimmed.substr(0, 3));
        out_ += "```";
      } else {
        block_line(line);
      }
      if (n + 1 < all.size()) out_ += '\n';
    }
    if (!fence.empty()) out_ += "\n```";
    return std::move(out_);
  }

 private:
  void block_line(std::string_view line) {
    std::size_t depth = 0;
    while (starts_with(line, ">")) {  // quotes stay quotes: Slack reads a literal '>' at a line start
      line.remove_prefix(1);
      if (starts_with(line, " ")) line.remove_prefix(1);
      ++depth;
    }
    if (depth) out_ += "> ";
    std::size_t hashes = 0;
    while (hashes < line.size() && hashes < 7 && line[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < line.size() && line[hashes] == ' ') {
      std::string_view title = line.substr(hashes + 1);
      out_ += '*';
      inline_text(title);
      out_ += '*';
      return;
    }
    if (starts_with(line, "- ") || starts_with(line, "* ") || starts_with(line, "+ ")) {
      out_ += "• ";
      line.remove_prefix(2);
    }
    inline_text(line);
  }

  void inline_text(std::string_view s, int depth = 0) {
    bool exhausted[5] = {false, false, false, false, false};  // *, **, _, __, ~~: no partner left
    for (std::size_t i = 0; i < s.size();) {
      const char c = s[i];
      if (c == '\\' && i + 1 < s.size() && std::ispunct(static_cast<unsigned char>(s[i + 1]))) {
        append_escaped(out_, s.substr(i + 1, 1));
        i += 2;
        continue;
      }
      if (c == '`') {
        std::size_t run = 0;
        while (i + run < s.size() && s[i + run] == '`') ++run;
        const std::string ticks(run, '`');
        const std::size_t close = s.find(ticks, i + run);
        if (close != std::string_view::npos) {
          std::string_view code = s.substr(i + run, close - i - run);
          if (code.size() > 1 && code.front() == ' ' && code.back() == ' ') code = code.substr(1, code.size() - 2);
          out_ += '`';
          append_escaped(out_, code);
          out_ += '`';
          i = close + run;
          continue;
        }
        append_escaped(out_, ticks);
        i += run;
        continue;
      }
      if ((c == '*' || c == '_' || c == '~') && depth < kMaxNesting) {
        const bool twice = i + 1 < s.size() && s[i + 1] == c;
        if (twice || c != '~') {
          const std::string_view marker = s.substr(i, twice ? 2 : 1);
          const int k = c == '~' ? 4 : (c == '*' ? 0 : 2) + (twice ? 1 : 0);
          std::size_t close = std::string_view::npos;
          if (!exhausted[k] && can_open(s, i, marker)) {
            close = find_closer(s, i + marker.size() + 1, marker);
            exhausted[k] = close == std::string_view::npos;
          }
          if (close != std::string_view::npos) {
            const char slack = c == '~' ? '~' : twice ? '*' : '_';
            out_ += slack;
            inline_text(s.substr(i + marker.size(), close - i - marker.size()), depth + 1);
            out_ += slack;
            i = close + marker.size();
            continue;
          }
        }
      }
      if (c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '[')) {
        if (auto used = link(s.substr(c == '!' ? i + 1 : i))) {
          i += *used + (c == '!' ? 1 : 0);
          continue;
        }
      }
      if (c == '<') {
        const std::size_t close = s.find('>', i + 1);
        const std::string_view inside = close == std::string_view::npos ? "" : s.substr(i + 1, close - i - 1);
        if (safe_url(inside)) {
          out_ += '<' + std::string(inside) + '>';
          i = close + 1;
          continue;
        }
      }
      if (c == '@' && (i == 0 || !handle_char(s[i - 1]))) {
        std::size_t j = i + 1;
        while (j < s.size() && handle_char(s[j])) ++j;
        std::string handle(s.substr(i + 1, j - i - 1));
        while (!handle.empty() && (handle.back() == '.' || handle.back() == '-')) handle.pop_back();
        std::transform(handle.begin(), handle.end(), handle.begin(), [](unsigned char x) { return std::tolower(x); });
        if (auto user = handle.empty() || !slack_user_of_ ? std::nullopt : slack_user_of_(handle)) {
          out_ += "<@" + *user + '>';
          i += 1 + handle.size();
          continue;
        }
      }
      append_escaped(out_, s.substr(i, 1));
      ++i;
    }
  }

  // [text](url) at the start of `s`: appends <url|text> and returns the bytes used.
  std::optional<std::size_t> link(std::string_view s) {
    const std::size_t close = s.find("](");
    if (close == std::string_view::npos || s.substr(1, close - 1).find(']') != std::string_view::npos)
      return std::nullopt;
    const std::size_t end = s.find(')', close + 2);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view url = s.substr(close + 2, end - close - 2);
    if (url.size() >= 2 && url.front() == '<' && url.back() == '>') url = url.substr(1, url.size() - 2);
    if (!safe_url(url) || url.find('|') != std::string_view::npos) return std::nullopt;
    std::string label;
    for (char c : s.substr(1, close - 1))
      if (c != '\\') label += c;
    out_ += '<';
    append_escaped(out_, url);
    out_ += '|';
    append_escaped(out_, label.empty() ? std::string(url) : label);
    out_ += '>';
    return end + 1;
  }

  const SlackUserOf& slack_user_of_;
  std::string out_;
};

}  // namespace

std::string to_markdown(std::string_view mrkdwn, const HandleOf& handle_of) {
  return SlackToMarkdown(handle_of).run(mrkdwn);
}

std::string to_mrkdwn(std::string_view markdown, const SlackUserOf& slack_user_of) {
  return MarkdownToSlack(slack_user_of).run(markdown);
}

std::vector<std::string> mentioned_users(std::string_view mrkdwn) {
  std::vector<std::string> out;
  for (std::size_t i = mrkdwn.find("<@"); i != std::string_view::npos; i = mrkdwn.find("<@", i + 2)) {
    const std::size_t end = mrkdwn.find_first_of("|>", i + 2);
    if (end == std::string_view::npos) break;
    std::string id(mrkdwn.substr(i + 2, end - i - 2));
    if (!id.empty() && id.size() <= 32 && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

std::string fit_text(std::string text, std::size_t limit, std::string_view tail) {
  if (text.size() <= limit) return text;
  std::size_t keep = limit - tail.size();
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;  // not inside a character
  text.resize(keep);
  text.append(tail);
  return text;
}

std::string fit_mrkdwn(std::string text, std::size_t limit, std::string_view tail) {
  if (text.size() <= limit) return text;
  std::size_t keep = limit - tail.size();
  // Every '<' opens a link or mention and every '&' an entity (to_mrkdwn escapes the rest).
  for (auto [open, close] : {std::pair{'<', '>'}, std::pair{'&', ';'}}) {
    if (keep == 0) break;
    const std::size_t at = text.rfind(open, keep - 1);
    if (at != std::string::npos && text.find(close, at) >= keep) keep = at;
  }
  return fit_text(std::move(text), keep + tail.size(), tail);
}

bool linkable_url(std::string_view url) {
  if (url.rfind("https://", 0) != 0 || url.size() <= 8 || url.size() > 1000) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 127 || c == '"' || c == '<' || c == '>' || c == '|';
  });
}

std::string message_permalink(std::string_view team_url, std::string_view channel, std::string_view ts) {
  const auto alnum = [](std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  };
  const std::size_t dot = ts.find('.');
  if (!linkable_url(team_url) || !alnum(channel) || dot == std::string_view::npos || !alnum(ts.substr(0, dot)) ||
      !alnum(ts.substr(dot + 1)))
    return {};
  std::string link(team_url);
  if (link.back() != '/') link += '/';
  return link + "archives/" + std::string(channel) + "/p" + std::string(ts.substr(0, dot)) + std::string(ts.substr(dot + 1));
}

}  // namespace hub::bridge::slack
