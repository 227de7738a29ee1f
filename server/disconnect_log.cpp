#include "disconnect_log.hpp"

namespace sio::server {

DisconnectLog::DisconnectLog(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    index_.reserve(capacity_ + 1);
}

std::string DisconnectLog::make_key(std::string_view nsp, std::string_view sid) {
    std::string key;
    key.reserve(nsp.size() + 1 + sid.size());
    key.append(nsp).push_back('\0');
    key.append(sid);
    return key;
}

void DisconnectLog::record(std::string_view nsp, std::string_view sid, std::string_view reason) {
    auto key = make_key(nsp, sid);
    if (auto it = index_.find(key); it != index_.end()) {
        it->second->reason = std::string(reason);
        order_.splice(order_.end(), order_, it->second);  // newest again; iterators stay valid
        return;
    }
    order_.push_back(Entry{key, std::string(reason)});
    index_.emplace(std::move(key), std::prev(order_.end()));
    if (index_.size() > capacity_) {
        index_.erase(order_.front().key);
        order_.pop_front();
    }
}

std::optional<std::string> DisconnectLog::find(std::string_view nsp, std::string_view sid) const {
    auto it = index_.find(make_key(nsp, sid));
    if (it == index_.end()) {
        return std::nullopt;
    }
    return it->second->reason;
}

}  // namespace sio::server
