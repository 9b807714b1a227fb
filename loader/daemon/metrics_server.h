// The daemon's --metrics endpoint: a small blocking HTTP/1.0 server on its own
// thread, answering GET /metrics one connection at a time (a Prometheus
// scraper asks every few seconds; nothing here needs concurrency or a
// dependency). The page is made on each request, by the render callback,
// from the maps as they are then.
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace lvs {

class MetricsServer {
public:
    // Listens on address ("127.0.0.1:9177", "[::1]:9177") and starts the
    // thread. Throws UserError when the address is not ADDRESS:PORT or can't
    // be listened on. render may throw; the scraper then gets a 500 with the
    // message.
    MetricsServer(const std::string& address, std::function<std::string()> render);
    // Stops the thread (a request being answered is finished first).
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

private:
    void run();
    void serve(int client) const;

    std::function<std::string()> render_;
    int listen_fd_ = -1;
    int stop_fd_ = -1;  // an eventfd: written once to end run()
    std::thread thread_;
};

}  // namespace lvs
