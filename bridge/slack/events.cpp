#include "bridge/slack/events.hpp"


namespace hub::bridge::slack {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdBytes = 64;

bool sane_id(const std::string& s) { return !s.empty() && s.size() <= kMaxIdBytes; }

// Why `message` (a message event, or the new message inside message_changed) is the hub's own.
std::optional<std::string> own_echo(const json& message, const OwnApp& own) {
  if (auto m = message.find("metadata"); m != message.end() && m->is_object()) {
    if (text_of(*m, "event_type") == kMetadataEventType) return "it carries the hub's provenance metadata";
  }
  if (!own.bot_id.empty() && text_of(message, "bot_id") == own.bot_id) return "the hub's own bot posted it";
  if (!own.app_id.empty() && text_of(message, "app_id") == own.app_id) return "the hub's own app posted it";
  if (!own.bot_user_id.empty() && text_of(message, "user") == own.bot_user_id) return "the hub's bot user posted it";
  return std::nullopt;
}

// The message's text, with each shared file as a link named after the file.
std::string text_with_files(const json& message) {
  std::string text = text_of(message, "text");
  auto files = message.find("files");
  if (files == message.end() || !files->is_array()) return text;
  for (const json& f : *files) {
    if (!f.is_object()) continue;
    std::string name = text_of(f, "name");
    if (name.empty()) name = text_of(f, "title");
    std::string url = text_of(f, "permalink");
    if (url.empty()) url = text_of(f, "url_private");
    if (name.empty() && url.empty()) continue;
    if (!text.empty()) text += '\n';
    // The file name is text a user chose: escape it as Slack would, then link it.
    std::string label;
    for (char c : name.empty() ? std::string("a file") : name)
      label += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '|' ? "-" : std::string(1, c);
    text += url.empty() ? "📎 " + label : "📎 <" + url + "|" + label + ">";
  }
  return text;
}

Inbound skip(std::string reason) {
  Inbound in;
  in.reason = std::move(reason);
  return in;
}

Inbound message_event(const json& e, const OwnApp& own) {
  const std::string subtype = text_of(e, "subtype");
  Inbound in;
  in.channel = text_of(e, "channel");
  if (!sane_id(in.channel)) return skip("a message event without a channel");
  if (subtype.empty() || subtype == "thread_broadcast" || subtype == "file_share" || subtype == "bot_message" ||
      subtype == "me_message") {
    if (auto why = own_echo(e, own)) return skip("an echo: " + *why);
    in.kind = Inbound::Kind::post;
    in.ts = text_of(e, "ts");
    in.user = text_of(e, "user");
    if (in.user.empty()) in.user = text_of(e, "bot_id");
    in.name = text_of(e, "username");
    const std::string thread = text_of(e, "thread_ts");
    if (!thread.empty() && thread != in.ts) in.thread_ts = thread;
    in.text = text_with_files(e);
  } else if (subtype == "message_changed") {
    const json& now = e.contains("message") && e["message"].is_object() ? e["message"] : json::object();
    const json& before = e.contains("previous_message") && e["previous_message"].is_object()
                             ? e["previous_message"]
                             : json::object();
    if (text_of(now, "subtype") == kTombstone) {
      // A thread's first message deleted in Slack stays, as Slackbot's "This message was deleted."
      if (auto why = own_echo(before, own)) return skip("a delete of the hub's own message: " + *why);
      in.kind = Inbound::Kind::remove;
      in.ts = text_of(now, "ts");
      in.user = text_of(before, "user");
      return sane_id(in.ts) ? in : skip("a message event without a ts");
    }
    if (auto why = own_echo(now, own)) return skip("an echo: " + *why);
    in.kind = Inbound::Kind::edit;
    in.ts = text_of(now, "ts");
    in.user = text_of(now, "user");
    in.text = text_with_files(now);
    if (before.is_object() && text_with_files(before) == in.text) return skip("the text did not change (an unfurl)");
  } else if (subtype == "message_deleted") {
    const json& before = e.contains("previous_message") && e["previous_message"].is_object()
                             ? e["previous_message"]
                             : json::object();
    if (auto why = own_echo(before, own)) return skip("a delete of the hub's own message: " + *why);
    in.kind = Inbound::Kind::remove;
    in.ts = text_of(e, "deleted_ts");
    in.user = text_of(before, "user");
  } else {
    return skip("message subtype \"" + subtype + "\" is not bridged");
  }
  if (!sane_id(in.ts)) return skip("a message event without a ts");
  if (in.kind != Inbound::Kind::remove && !sane_id(in.user)) return skip("a message event without a user");
  return in;
}

Inbound reaction_event(const json& e, const OwnApp& own, bool add) {
  const json& item = e.contains("item") && e["item"].is_object() ? e["item"] : json::object();
  if (text_of(item, "type") != "message") return skip("a reaction to something other than a message");
  Inbound in;
  in.kind = Inbound::Kind::react;
  in.add = add;
  in.channel = text_of(item, "channel");
  in.ts = text_of(item, "ts");
  in.user = text_of(e, "user");
  const std::string name = text_of(e, "reaction");
  if (!sane_id(in.channel) || !sane_id(in.ts) || !sane_id(in.user) || name.empty() || name.size() > 30)
    return skip("a reaction event without its channel, message, user or name");
  if (!own.bot_user_id.empty() && in.user == own.bot_user_id) return skip("an echo: the hub's bot reacted");
  in.emoji = ":" + name + ":";
  return in;
}

}  // namespace

std::string text_of(const json& o, const char* key) {
  auto it = o.find(key);  // end() when `o` is not an object
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

http::Result<Envelope> parse_envelope(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return http::ApiError::bad_request("The body is not a JSON object.");
  return read_envelope(std::move(doc));
}

http::Result<Envelope> read_envelope(json doc) {
  if (!doc.is_object()) return http::ApiError::bad_request("The body is not a JSON object.");
  Envelope env;
  const std::string type = text_of(doc, "type");
  if (type == "url_verification") {
    env.type = Envelope::Type::url_verification;
    env.challenge = text_of(doc, "challenge");
    if (env.challenge.empty() || env.challenge.size() > 256)
      return http::ApiError::invalid_field("challenge", "A url_verification needs its challenge.");
  } else if (type == "event_callback") {
    env.type = Envelope::Type::event_callback;
    env.event_id = text_of(doc, "event_id");
    if (!sane_id(env.event_id)) return http::ApiError::invalid_field("event_id", "An event needs its event_id.");
    if (!doc.contains("event") || !doc["event"].is_object())
      return http::ApiError::invalid_field("event", "An event_callback needs its event.");
    env.event = std::move(doc["event"]);
  }
  return env;
}

Inbound classify(const json& event, const OwnApp& own) {
  const std::string type = text_of(event, "type");
  if (type == "message") return message_event(event, own);
  if (type == "reaction_added") return reaction_event(event, own, true);
  if (type == "reaction_removed") return reaction_event(event, own, false);
  return skip("event type \"" + type + "\" is not bridged");
}

}  // namespace hub::bridge::slack
