// Result<T>: a value or an Error message; how every fallible core call reports bad user data.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace qv {

// A human-readable failure. Messages name the file, tensor, field and byte offset where known,
// because they are shown verbatim to the user (status line, dialog, CLI stderr).
struct Error {
    std::string message;
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}          // NOLINT: implicit by design
    Result(Error error) : m_v(std::move(error)) {}      // NOLINT: implicit by design

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(m_v); }
    const T& value() const& { assert(ok()); return std::get<0>(m_v); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(m_v); }
    const std::string& message() const { return error().message; }

private:
    std::variant<T, Error> m_v;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(std::string message) { return Error{std::move(message)}; }

}  // namespace qv
