#include "daemon/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "error.h"
#include "net/addr.h"

namespace lvs {
namespace {

constexpr size_t kMaxRequest = 8192;
// A client that sends no full request within this is dropped, so a stuck
// connection can't hold up the scrapes behind it for long.
constexpr int kRequestTimeoutMs = 5000;

int listen_on(const std::string& address) {
    const Endpoint ep = parse_endpoint(address);
    if (!ep.has_port)
        throw UserError("--metrics needs ADDRESS:PORT (e.g. 127.0.0.1:9177), not " + address);
    sockaddr_storage ss{};
    socklen_t len;
    if (ep.addr.is_v6()) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(ep.port);
        std::memcpy(&a->sin6_addr, ep.addr.bytes.data(), 16);
        len = sizeof(*a);
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(ep.port);
        std::memcpy(&a->sin_addr, ep.addr.bytes.data(), 4);
        len = sizeof(*a);
    }
    const int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, 16) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0)
            close(fd);
        throw UserError("cannot serve metrics on " + address + ": " + why +
                        " (choose another --metrics address, or stop what listens there)");
    }
    return fd;
}

// Reads the request head (up to the empty line); empty if the client sent
// none in time.
std::string read_request(int client) {
    std::string req;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRequestTimeoutMs);
    char buf[1024];
    while (req.find("\r\n\r\n") == std::string::npos && req.find("\n\n") == std::string::npos &&
           req.size() < kMaxRequest) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{.fd = client, .events = POLLIN};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
            return {};
        const ssize_t n = recv(client, buf, sizeof(buf), 0);
        if (n <= 0)
            return {};
        req.append(buf, n);
    }
    return req;
}

void send_all(int client, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = send(client, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return;  // the scraper went away; nothing to tell it
        done += n;
    }
}

std::string response(const char* status, const char* type, const std::string& body, bool with_body,
                     const char* extra = "") {
    return std::string("HTTP/1.0 ") + status + "\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "Connection: close\r\n\r\n" +
           (with_body ? body : "");
}

}  // namespace

MetricsServer::MetricsServer(const std::string& address, std::function<std::string()> render)
    : render_(std::move(render)), listen_fd_(listen_on(address)), stop_fd_(eventfd(0, EFD_CLOEXEC)) {
    if (stop_fd_ < 0) {
        close(listen_fd_);
        throw UserError(std::string("cannot start the metrics server: eventfd: ") + std::strerror(errno));
    }
    thread_ = std::thread([this] { run(); });
}

MetricsServer::~MetricsServer() {
    const uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof(one)) != sizeof(one))
        spdlog::warn("could not stop the metrics thread: {}", std::strerror(errno));
    thread_.join();
    close(stop_fd_);
    close(listen_fd_);
}

void MetricsServer::run() {
    for (;;) {
        pollfd fds[2] = {{.fd = listen_fd_, .events = POLLIN}, {.fd = stop_fd_, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            spdlog::error("metrics server stopped: poll: {}", std::strerror(errno));
            return;
        }
        if (fds[1].revents)
            return;
        const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;  // the client gave up between poll and accept
        serve(client);
        close(client);
    }
}

void MetricsServer::serve(int client) const {
    const std::string req = read_request(client);
    const std::string line = req.substr(0, req.find_first_of("\r\n"));
    const size_t sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) {
        send_all(client, response("400 Bad Request", "text/plain", "expected: GET /metrics HTTP/1.0\n", true));
        return;
    }
    const std::string method = line.substr(0, sp1);
    const std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const bool head = method == "HEAD";
    if (method != "GET" && !head) {
        send_all(client, response("405 Method Not Allowed", "text/plain", "only GET and HEAD\n", true,
                                  "Allow: GET, HEAD\r\n"));
        return;
    }
    if (path != "/metrics" && !path.starts_with("/metrics?")) {
        send_all(client, response("404 Not Found", "text/plain", "metrics are at /metrics\n", !head));
        return;
    }
    try {
        send_all(client, response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_(), !head));
    } catch (const std::exception& e) {
        spdlog::warn("metrics: {}", e.what());
        send_all(client, response("500 Internal Server Error", "text/plain", std::string(e.what()) + "\n", !head));
    }
}

}  // namespace lvs
