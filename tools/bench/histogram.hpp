#pragma once
// Log-linear histogram of nanosecond values: 64 sub-buckets per power of two (≤ 1.6% error),
// a fixed 32 KiB array per worker; recording is one bit_width and one increment.

#include <array>
#include <bit>
#include <cstdint>

#include <boost/json.hpp>

namespace sio::bench {

class Histogram {
public:
    static constexpr int sub_bits = 6;
    static constexpr int sub = 1 << sub_bits;
    static constexpr int buckets = 64 * sub;

    void record(std::uint64_t v) noexcept {
        ++counts_[index(v)];
        ++total_;
        if (v > max_) max_ = v;
        if (total_ == 1 || v < min_) min_ = v;
        sum_ += v;
    }

    static int index(std::uint64_t v) noexcept {
        if (v < sub) return static_cast<int>(v);
        const int e = static_cast<int>(std::bit_width(v)) - 1;  // >= sub_bits
        const auto mant = static_cast<int>((v >> (e - sub_bits)) & (sub - 1));
        return (e - sub_bits + 1) * sub + mant;
    }
    /** Middle of bucket `i`. */
    static std::uint64_t value_of(int i) noexcept {
        if (i < sub) return static_cast<std::uint64_t>(i);
        const int e = i / sub + sub_bits - 1;
        const auto mant = static_cast<std::uint64_t>(i % sub);
        const std::uint64_t lo = (sub + mant) << (e - sub_bits);
        const std::uint64_t width = std::uint64_t{1} << (e - sub_bits);
        return lo + width / 2;
    }

    std::uint64_t total() const noexcept { return total_; }
    std::uint64_t max() const noexcept { return max_; }
    std::uint64_t min() const noexcept { return min_; }
    double mean() const noexcept { return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0; }

    std::uint64_t percentile(double q) const noexcept {
        if (total_ == 0) return 0;
        auto target = static_cast<std::uint64_t>(q * static_cast<double>(total_));
        if (target < 1) target = 1;
        std::uint64_t seen = 0;
        for (int i = 0; i < buckets; ++i) {
            seen += counts_[static_cast<std::size_t>(i)];
            if (seen >= target) {
                const auto v = value_of(i);
                return v > max_ ? max_ : v;
            }
        }
        return max_;
    }

    void merge(const Histogram& o) noexcept {
        for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
        if (o.total_ && (total_ == 0 || o.min_ < min_)) min_ = o.min_;
        total_ += o.total_;
        sum_ += o.sum_;
        if (o.max_ > max_) max_ = o.max_;
    }

    /** Sparse form for the worker -> coordinator pipe: {"b":[[i,n],...],"max","min","sum"}. */
    boost::json::object to_json() const {
        boost::json::array b;
        for (std::size_t i = 0; i < counts_.size(); ++i)
            if (counts_[i]) b.push_back(boost::json::array{i, counts_[i]});
        return {{"b", std::move(b)}, {"max", max_}, {"min", min_}, {"sum", sum_}};
    }
    static Histogram from_json(const boost::json::object& o) {
        Histogram h;
        for (const auto& e : o.at("b").as_array()) {
            const auto& p = e.as_array();
            const auto n = boost::json::value_to<std::uint64_t>(p[1]);
            h.counts_[boost::json::value_to<std::size_t>(p[0])] += n;
            h.total_ += n;
        }
        h.max_ = boost::json::value_to<std::uint64_t>(o.at("max"));
        h.min_ = boost::json::value_to<std::uint64_t>(o.at("min"));
        h.sum_ = boost::json::value_to<std::uint64_t>(o.at("sum"));
        return h;
    }

    /** Percentiles in microseconds for the report. */
    boost::json::object summary_us() const {
        auto us = [](std::uint64_t ns) { return static_cast<double>(ns / 100) / 10.0; };
        return {{"count", total_},
                {"p50_us", us(percentile(0.50))},
                {"p90_us", us(percentile(0.90))},
                {"p99_us", us(percentile(0.99))},
                {"p999_us", us(percentile(0.999))},
                {"max_us", us(max_)},
                {"min_us", us(min_)},
                {"mean_us", mean() / 1000.0}};
    }

private:
    std::array<std::uint64_t, buckets> counts_{};
    std::uint64_t total_ = 0, max_ = 0, min_ = 0, sum_ = 0;
};

}  // namespace sio::bench
