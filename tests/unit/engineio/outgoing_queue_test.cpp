// The WebSocket write queue (outgoing_queue.hpp): order across its inline first slot and the
// rest, the 101 answer going before frames already queued, frames dropped as they are written.

#include "engineio/outgoing_queue.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using sio::engineio::OutgoingFrame;
using sio::engineio::OutgoingQueue;

namespace {

OutgoingFrame frame(std::string bytes, bool raw = false) {
    return OutgoingFrame{sio::engineio::make_text_frame(std::move(bytes)), raw};
}

std::vector<std::string> pending(const OutgoingQueue& q) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < q.pending(); ++i) out.push_back(q[i].frame->bytes);
    return out;
}

}  // namespace

TEST(OutgoingQueue, KeepsOrderPastTheInlineSlot) {
    OutgoingQueue q;
    EXPECT_EQ(q.pending(), 0u);
    q.push_back(frame("a"));
    q.push_back(frame("b"));
    q.push_back(frame("c"));
    EXPECT_EQ(pending(q), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(OutgoingQueue, PopDropsTheWrittenFrameAtOnce) {
    OutgoingQueue q;
    auto a = sio::engineio::make_text_frame("a");
    q.push_back(OutgoingFrame{a, false});
    q.push_back(frame("b"));
    EXPECT_EQ(a.use_count(), 2);
    q.pop_front();
    EXPECT_EQ(a.use_count(), 1);
    EXPECT_EQ(pending(q), (std::vector<std::string>{"b"}));
    q.push_back(frame("c"));  // queued while the rest is being written
    EXPECT_EQ(pending(q), (std::vector<std::string>{"b", "c"}));
    q.pop_front();
    q.pop_front();
    EXPECT_EQ(q.pending(), 0u);
    q.clear();
    q.push_back(frame("d"));  // the inline slot again
    EXPECT_EQ(pending(q), (std::vector<std::string>{"d"}));
}

TEST(OutgoingQueue, PushFrontGoesBeforeEveryPendingFrame) {
    OutgoingQueue empty;
    empty.push_front(frame("101", true));
    EXPECT_EQ(pending(empty), (std::vector<std::string>{"101"}));
    EXPECT_TRUE(empty[0].raw);

    OutgoingQueue one;  // the owner queued the open packet before accept()
    one.push_back(frame("open"));
    one.push_front(frame("101", true));
    EXPECT_EQ(pending(one), (std::vector<std::string>{"101", "open"}));
    EXPECT_TRUE(one[0].raw);
    EXPECT_FALSE(one[1].raw);

    OutgoingQueue partly_written;
    partly_written.push_back(frame("a"));
    partly_written.push_back(frame("b"));
    partly_written.push_back(frame("c"));
    partly_written.pop_front();
    partly_written.push_front(frame("x"));
    EXPECT_EQ(pending(partly_written), (std::vector<std::string>{"x", "b", "c"}));

    OutgoingQueue all_written;
    all_written.push_back(frame("a"));
    all_written.pop_front();
    all_written.push_front(frame("x"));
    all_written.push_back(frame("y"));
    EXPECT_EQ(pending(all_written), (std::vector<std::string>{"x", "y"}));
}

TEST(OutgoingQueue, ClearDropsEverything) {
    OutgoingQueue q;
    auto a = sio::engineio::make_text_frame("a");
    auto b = sio::engineio::make_text_frame("b");
    q.push_back(OutgoingFrame{a, false});
    q.push_back(OutgoingFrame{b, false});
    q.clear();
    EXPECT_EQ(q.pending(), 0u);
    EXPECT_EQ(a.use_count(), 1);
    EXPECT_EQ(b.use_count(), 1);
}
