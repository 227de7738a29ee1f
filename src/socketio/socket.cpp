// Socket: outgoing emits, incoming EVENT/ACK, rooms, and the close path.
// Close path (always this order): persist the session (recoverable reason, recovery on) ->
// leave every room -> leave the namespace and the client -> forget pending broadcast acks ->
// on_disconnect(reason). emit_with_ack callbacks still get `timed_out` at their deadline.

#include <sio/socketio/socket.hpp>

#include <ctime>
#include <unordered_map>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>

#include <sio/socketio/json.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/server.hpp>

#include "socketio/client.hpp"
#include "socketio/socket_listeners.hpp"

namespace sio::socketio {

struct Socket::PendingAcks {
    struct Pending {
        std::function<void(Payload)> on_ack;
        std::function<void()> on_close;  // may be empty
    };
    std::unordered_map<std::uint64_t, Pending> by_id;
};

namespace {

/** JavaScript's Date.prototype.toString() in UTC: `Tue Nov 24 2026 18:39:04 GMT+0000
    (Coordinated Universal Time)`. */
std::string js_date_string(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[80];
    std::size_t n = std::strftime(buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &tm);
    return std::string(buf, n);
}

/** Node's IncomingMessage.headers: repeated headers joined with ", " (set-cookie: an array). */
boost::json::object headers_object(const engineio::Handshake& h) {
    boost::json::object out;
    for (const auto& [name, value] : h.headers()) {
        auto* existing = out.if_contains(name);
        if (!existing) {
            if (name == "set-cookie")
                out.emplace(name, boost::json::array{boost::json::value(value)});
            else
                out.emplace(name, value);
        } else if (auto* arr = existing->if_array()) {
            arr->emplace_back(value);
        } else {
            auto& s = existing->as_string();
            s.append(", ");
            s.append(value);
        }
    }
    return out;
}

}  // namespace

// ---- Ack -------------------------------------------------------------------------------------

Ack::Ack(std::weak_ptr<Socket> socket, std::uint64_t id)
    : state_(std::make_shared<State>(State{std::move(socket), id, false})) {}

void Ack::operator()(Payload args) const {
    if (!state_ || std::exchange(state_->sent, true)) return;
    if (auto socket = state_->socket.lock()) socket->send_ack(state_->id, std::move(args));
}

// ---- Socket ----------------------------------------------------------------------------------

Socket::Socket(Namespace& nsp, Client& client, std::string id, std::string pid, boost::json::object auth)
    : nsp_(&nsp),
      client_(&client),
      id_(std::move(id)),
      pid_(std::move(pid)),
      auth_(std::move(auth)),
      handshake_(client.session().shared_handshake()),
      created_at_(std::chrono::system_clock::now()) {}

Socket::~Socket() = default;

boost::asio::any_io_executor Socket::executor() const {
    return nsp_->executor();
}

std::string Socket::engine_id() const {
    return client_ ? client_->session().id() : std::string();
}

engineio::Session* Socket::conn() const noexcept {
    return client_ ? &client_->session() : nullptr;
}

std::string Socket::transport() const {
    return client_ ? std::string(client_->session().transport_name()) : std::string();
}

boost::json::value Socket::handshake_json() const {
    auto issued = std::chrono::duration_cast<std::chrono::milliseconds>(created_at_.time_since_epoch()).count();
    boost::json::object out;
    out.emplace("headers", headers_object(*handshake_));
    out.emplace("time", js_date_string(created_at_));
    out.emplace("address", handshake_->address());
    out.emplace("xdomain", handshake_->xdomain);
    out.emplace("secure", handshake_->secure);
    out.emplace("issued", static_cast<std::int64_t>(issued));
    out.emplace("url", handshake_->url());
    out.emplace("query", query_json(handshake_->query()));
    out.emplace("auth", auth_);
    return out;
}

const boost::json::value& Socket::data() const noexcept {
    static const boost::json::value null_data;
    return data_ ? *data_ : null_data;
}

boost::json::value& Socket::data() {
    if (!data_ || data_shared_) {
        data_ = std::make_shared<boost::json::value>(std::as_const(*this).data());
        data_shared_ = false;
    }
    return *data_;
}

void Socket::share_data(std::shared_ptr<const boost::json::value> data) noexcept {
    // Never written through: data() copies it first while data_shared_ is set.
    data_ = std::const_pointer_cast<boost::json::value>(std::move(data));
    data_shared_ = true;
}

std::vector<std::string> Socket::rooms() const {
    return nsp_->adapter().socket_rooms(id_);
}

void Socket::join(const std::string& room) {
    if (closed_) return;
    nsp_->adapter().add_all(id_, {room});
}

void Socket::join(const std::vector<std::string>& rooms) {
    if (closed_) return;
    nsp_->adapter().add_all(id_, rooms);
}

void Socket::leave(const std::string& room) {
    if (closed_) return;
    nsp_->adapter().del(id_, room);
}

// ---- outgoing --------------------------------------------------------------------------------

bool Socket::emit(std::string_view event, Payload args) {
    if (is_reserved_event(event) || !client_ || closed_) return false;
    notify_outgoing(event, args);
    Packet packet = make_event_packet(nsp_->name(), event, std::move(args));
    // With recovery on, the packet gets an offset and is logged for this socket. (socket.io
    // 4.8 broadcasts it to the room named by the socket's id instead, which also reaches any
    // other socket that joined a room of that name: here socket.emit reaches this socket only,
    // as it does with recovery off.)
    if (nsp_->server().options().connection_state_recovery) {
        if (auto frames = nsp_->adapter().log_for_socket(packet, id_); !frames.empty()) {
            send_frames(frames, false);
            return true;
        }
    }
    send_packet(packet);
    return true;
}

bool Socket::emit_volatile(std::string_view event, Payload args) {
    if (is_reserved_event(event) || !client_ || closed_) return false;
    notify_outgoing(event, args);
    Packet packet = make_event_packet(nsp_->name(), event, std::move(args));
    if (nsp_->server().options().connection_state_recovery) {
        BroadcastOptions opts{{id_}, {}, {}};
        opts.flags.is_volatile = true;  // never logged
        nsp_->adapter().broadcast(packet, opts);
    } else {
        send_packet(packet, true);
    }
    return true;
}

SocketEmitter Socket::timeout(std::chrono::milliseconds ms) {
    return SocketEmitter(*this).timeout(ms);
}

SocketEmitter Socket::volatile_() {
    return SocketEmitter(*this).volatile_();
}

SocketEmitter Socket::compress(bool enabled) {
    return SocketEmitter(*this).compress(enabled);
}

void Socket::start_emit_with_ack(std::string_view event, Payload args, std::optional<std::chrono::milliseconds> timeout,
                                 bool is_volatile, AckHandler done) {
    if (is_reserved_event(event) || !client_ || closed_) {
        boost::asio::post(executor(), [done = std::move(done)] { done(ack_errc::not_sent, {}); });
        return;
    }
    notify_outgoing(event, args);
    Packet packet = make_event_packet(nsp_->name(), event, std::move(args));
    const std::uint64_t id = nsp_->next_ack_id();
    packet.id = id;

    // The wait owns the callback: with a timeout the deadline holds even if the socket is gone
    // by then (socket.io reports the timeout, not the disconnection); without one, the close
    // path reports the disconnection.
    struct Wait {
        AckHandler done;
        std::optional<boost::asio::steady_timer> timer;
        void finish(ErrorCode ec, Payload answer) {
            if (!done) return;
            auto fn = std::exchange(done, nullptr);
            if (timer) timer->cancel();
            fn(ec, std::move(answer));
        }
    };
    auto wait = std::make_shared<Wait>(Wait{std::move(done), std::nullopt});
    std::function<void()> on_close;
    if (timeout) {
        wait->timer.emplace(executor(), *timeout);
        wait->timer->async_wait([wait, weak = weak_from_this(), id](boost::system::error_code ec) {
            if (ec || !wait->done) return;  // answered (timer cancelled)
            if (auto self = weak.lock(); self && self->acks_) self->acks_->by_id.erase(id);
            wait->finish(ack_errc::timeout, {});
        });
    } else {
        on_close = [wait, executor = executor()] {
            boost::asio::post(executor, [wait] { wait->finish(ack_errc::disconnected, {}); });
        };
    }
    expect_ack(
        id, [wait](Payload answer) { wait->finish({}, std::move(answer)); }, std::move(on_close));

    if (nsp_->server().options().connection_state_recovery) {
        BroadcastOptions opts{{id_}, {}, {}};
        opts.flags.is_volatile = is_volatile;
        nsp_->adapter().broadcast(packet, opts);  // has an id: no offset
    } else {
        send_packet(packet, is_volatile);
    }
}

void Socket::expect_ack(std::uint64_t id, std::function<void(Payload)> fn, std::function<void()> on_close) {
    if (closed_) {
        if (on_close) on_close();
        return;
    }
    if (!acks_) acks_ = std::make_unique<PendingAcks>();
    acks_->by_id.insert_or_assign(id, PendingAcks::Pending{std::move(fn), std::move(on_close)});
}

void Socket::send_packet(const Packet& packet, bool is_volatile) {
    if (client_) client_->send_packet(packet, is_volatile);
}

void Socket::send_frames(std::span<const engineio::SharedFrame> frames, bool is_volatile) {
    if (client_) client_->send_frames(frames, is_volatile);
}

void Socket::send_ack(std::uint64_t id, Payload args) {
    if (!client_ || closed_) return;
    send_packet(Packet{PacketType::ack, nsp_->name(), id, std::move(args.args), std::move(args.attachments)});
}

BroadcastOperator Socket::broadcast() const {
    return BroadcastOperator(*nsp_, id_);
}

BroadcastOperator Socket::to(std::string room) const {
    return BroadcastOperator(*nsp_, id_).to(std::move(room));
}

BroadcastOperator Socket::except(std::string room) const {
    return BroadcastOperator(*nsp_, id_).except(std::move(room));
}

BroadcastOperator Socket::local() const {
    return BroadcastOperator(*nsp_, id_).local();
}

// ---- incoming --------------------------------------------------------------------------------

void Socket::on_packet(Packet packet) {
    switch (packet.type) {
        case PacketType::event:
        case PacketType::binary_event: {
            auto* data = packet.data.if_array();
            if (!data || data->empty()) return;  // `2` with no payload: nothing to dispatch
            std::string event;
            if (const auto* s = (*data)[0].if_string())
                event.assign(s->begin(), s->end());
            else if ((*data)[0].is_number())
                event = to_json((*data)[0]);  // String(42) == "42"
            else
                return;
            Payload args;
            args.args.reserve(data->size() - 1);
            for (std::size_t i = 1; i < data->size(); ++i) args.args.push_back(std::move((*data)[i]));
            args.attachments = std::move(packet.attachments);  // placeholder numbers stay valid
            Ack ack = packet.id ? Ack(weak_from_this(), *packet.id) : Ack();
            on_event(std::move(event), std::move(args), std::move(ack));
            return;
        }
        case PacketType::ack:
        case PacketType::binary_ack: {
            if (!acks_ || !packet.id) return;
            auto it = acks_->by_id.find(*packet.id);
            if (it == acks_->by_id.end()) return;  // unknown or already answered: ignored
            auto fn = std::move(it->second.on_ack);
            acks_->by_id.erase(it);
            Payload args;
            if (auto* arr = packet.data.if_array()) args.args = std::move(*arr);
            args.attachments = std::move(packet.attachments);
            fn(std::move(args));
            return;
        }
        case PacketType::disconnect:
            on_close(DisconnectReason::client_namespace_disconnect);
            return;
        default:
            return;  // CONNECT / CONNECT_ERROR are the client's business
    }
}

// ---- disconnect ------------------------------------------------------------------------------

void Socket::disconnect(bool close) {
    if (!connected_ || !client_) return;
    if (close) {
        client_->disconnect_all();
        return;
    }
    send_packet(Packet{PacketType::disconnect, nsp_->name(), std::nullopt, nullptr, {}});
    on_close(DisconnectReason::server_namespace_disconnect);
}

void Socket::on_close(DisconnectReason reason) {
    if (closed_) return;
    closed_ = true;
    auto self = shared_from_this();  // the namespace and the client may hold the last references

    const bool was_connected = connected_;
    if (was_connected) run_disconnect_listeners(true, reason);  // rooms still readable
    Adapter& adapter = nsp_->adapter();
    if (connected_ && nsp_->server().options().connection_state_recovery && is_recoverable(reason))
        adapter.persist_session(PersistedSession{id_, pid_, adapter.socket_rooms(id_), std::as_const(*this).data()});
    adapter.del_all(id_);
    nsp_->remove(id_);
    if (client_) client_->remove_socket(*this);
    client_ = nullptr;
    connected_ = false;
    // Broadcast acks are forgotten; an emit with ack and timeout still times out, one without
    // learns of the disconnection.
    if (auto acks = std::move(acks_)) {
        for (auto& [id, pending] : acks->by_id)
            if (pending.on_close) pending.on_close();
    }
    run_disconnect_listeners(false, reason);
    if (was_connected) nsp_->dispatch_disconnect(*this, reason);
}

void Socket::detach() noexcept {
    client_ = nullptr;
    connected_ = false;
    closed_ = true;
    acks_.reset();
}

boost::json::object query_json(const engineio::FieldList& query) {
    return query_json(query.all());
}

boost::json::object query_json(const engineio::FieldList::Range& query) {
    // Node's querystring.parse: a repeated key becomes an array of its values.
    boost::json::object out;
    for (const auto& [key, value] : query) {
        auto* existing = out.if_contains(key);
        if (!existing) {
            out.emplace(key, value);
        } else if (auto* arr = existing->if_array()) {
            arr->emplace_back(value);
        } else {
            boost::json::array values{*existing, boost::json::value(value)};
            *existing = std::move(values);
        }
    }
    return out;
}

}  // namespace sio::socketio
