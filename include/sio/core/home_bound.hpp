#pragma once
// HomeBound<T>: a shared object that belongs to one shard (its home loop) and is referred to
// from others, as Seastar's foreign_ptr. Other shards never touch the object: they post work
// to run on it at home, and a reference dropped elsewhere is released at home, so the object
// is always used and destroyed on the thread that made it.
//
// Typical use, a callback waiting for answers from every shard:
//     HomeBound<Gather> gather(shards.executor(me), std::make_shared<Gather>(...));
//     shards.post_to(j, [gather, opts] { auto part = local_part(opts);
//                                        gather.post([part](Gather& g) mutable { g.add(part); }); });

#include <memory>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace sio::core {

template <class T>
class HomeBound {
public:
    using Executor = boost::asio::io_context::executor_type;

    HomeBound(Executor home, std::shared_ptr<T> object) : home_(std::move(home)), object_(std::move(object)) {}
    HomeBound(const HomeBound&) = default;
    HomeBound(HomeBound&&) noexcept = default;
    HomeBound& operator=(const HomeBound&) = delete;
    HomeBound& operator=(HomeBound&&) = delete;
    ~HomeBound() {
        // Possibly the last reference: let it go at home.
        if (object_ && !home_.running_in_this_thread()) boost::asio::post(home_, [object = std::move(object_)] {});
    }

    /** Runs `fn(T&)` on the home loop, later. */
    template <class Fn>
    void post(Fn&& fn) const {
        boost::asio::post(home_, [object = object_, fn = std::forward<Fn>(fn)]() mutable { fn(*object); });
    }

    /** The object, for code running at home only. */
    T& local() const noexcept { return *object_; }
    const Executor& home() const noexcept { return home_; }

private:
    Executor home_;
    std::shared_ptr<T> object_;
};

}  // namespace sio::core
