#pragma once
// A real redis-server child process for the `redis` test tier: started on a free loopback port
// with no persistence, stopped (and only ever signalled) by its own pid.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sio::test {

/** A port that was free a moment ago: bind 127.0.0.1:0, read it back, close. */
inline unsigned short free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
inline bool port_accepts(unsigned short port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

inline bool redis_server_available() {
    return std::system("redis-server --version >/dev/null 2>&1") == 0;
}

class RedisServer {
public:
    explicit RedisServer(std::vector<std::string> extra_args = {})
        : port_(free_port()), extra_(std::move(extra_args)) {}
    ~RedisServer() { stop(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    /** Spawns redis-server on port() and waits (up to 5 s) until it accepts connections. */
    bool start() {
        if (pid_ > 0) {
            return true;
        }
        std::vector<std::string> args = {"redis-server",
                                         "--port",
                                         std::to_string(port_),
                                         "--bind",
                                         "127.0.0.1",
                                         "--save",
                                         "",
                                         "--appendonly",
                                         "no",
                                         "--dir",
                                         "/tmp",
                                         "--loglevel",
                                         "warning",
                                         "--daemonize",
                                         "no"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        int rc = posix_spawnp(&pid_, "redis-server", &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
            return false;
        }
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            if (port_accepts(port_)) {
                return true;
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // died (port taken?)
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    /** Signals our child (SIGKILL = crash) and reaps it. No-op when not running. */
    void stop(int sig = SIGKILL) {
        if (pid_ <= 0) {
            return;
        }
        ::kill(pid_, sig);
        if (sig != SIGKILL) {
            ::kill(pid_, SIGCONT);  // a stopped process acts on SIGTERM only once continued
        }
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    void pause() { ::kill(pid_, SIGSTOP); }
    void resume() { ::kill(pid_, SIGCONT); }

    unsigned short port() const { return port_; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    unsigned short port_;
    std::vector<std::string> extra_;
};

}  // namespace sio::test
