// Test helper: writes torch.save-style checkpoints byte by byte (no torch here), as torch 2.x does.
//
// What torch.save(state_dict, f) produces (torch/serialization.py _save, default protocol 2;
// caffe2/serialize/inline_container.cc PyTorchFileWriter), reproduced here:
//   zip members  <archive>/data.pkl, <archive>/byteorder ("little"), <archive>/data/<key> for each
//                storage (raw little-endian elements, sorted by key), <archive>/version ("3\n").
//                torch stores every member uncompressed (and pads local headers so data is 64-byte
//                aligned; libzip's writer used here does not pad, which the loader must not need).
//   data.pkl     pickle protocol 2 (CPython Lib/pickle.py, Pickler.save_reduce/save_tuple/memoize):
//     80 02                               PROTO 2
//     c "collections\nOrderedDict\n" q0   GLOBAL + BINPUT 0
//     ) R q1                              OrderedDict() — REDUCE of an empty tuple, memoized
//     (                                   MARK, then per entry:
//       X key q                             BINUNICODE key
//       c "torch._utils\n_rebuild_tensor_v2\n" q   (h <memo> the second time)
//       ( ( X "storage" q c "torch\nFloatStorage\n" q X "<key>" q X "cpu" q K numel t q Q
//                                           persistent id 5-tuple → BINPERSID
//         K offset  (size) q  (stride) q  \x89 (requires_grad False)
//         h0 ) R q                           backward_hooks = OrderedDict()
//       t q R q                              TUPLE of the 6 args, REDUCE
//     u                                    SETITEMS
//     } q X "_metadata" q <OrderedDict of {'version': 1} dicts> s b   state → BUILD
//     .                                    STOP
// Small ints use BININT1/BININT2/BININT, tuples of 1–3 items TUPLE1–3, others MARK … TUPLE;
// every string, tuple and reduced object is memoized and repeated strings/globals are BINGET.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace qv::test {

class PickleWriter {
public:
    PickleWriter() { op(0x80), byte(2); }

    PickleWriter& op(uint8_t c) { m_out.push_back(static_cast<std::byte>(c)); return *this; }
    void byte(uint8_t c) { op(c); }
    void le(uint64_t v, int n) { for (int i = 0; i < n; ++i) byte(static_cast<uint8_t>(v >> (8 * i))); }

    void memoize() {
        const uint32_t id = m_next++;
        if (id < 256) { op('q'); byte(static_cast<uint8_t>(id)); }
        else { op('r'); le(id, 4); }
    }
    void get(uint32_t id) {
        if (id < 256) { op('h'); byte(static_cast<uint8_t>(id)); }
        else { op('j'); le(id, 4); }
    }
    // A str, BINGET when already pickled (pickle memoizes by identity; interned literals repeat).
    void str(const std::string& s) {
        if (auto it = m_strings.find(s); it != m_strings.end()) return get(it->second);
        op('X'); le(s.size(), 4);
        for (char c : s) byte(static_cast<uint8_t>(c));
        m_strings[s] = m_next;
        memoize();
    }
    void global(const std::string& module, const std::string& name) {
        const std::string key = module + "\n" + name;
        if (auto it = m_globals.find(key); it != m_globals.end()) return get(it->second);
        op('c');
        for (char c : module + "\n" + name + "\n") byte(static_cast<uint8_t>(c));
        m_globals[key] = m_next;
        memoize();
    }
    void integer(int64_t v) {  // pickle.py save_long, protocol ≥ 2
        if (v >= 0 && v < 256) { op('K'); byte(static_cast<uint8_t>(v)); }
        else if (v >= 0 && v < 65536) { op('M'); le(static_cast<uint64_t>(v), 2); }
        else if (v >= INT32_MIN && v <= INT32_MAX) { op('J'); le(static_cast<uint32_t>(v), 4); }
        else { op(0x8a); byte(8); le(static_cast<uint64_t>(v), 8); }
    }
    // A tuple of ints (size/stride): () is EMPTY_TUPLE (not memoized), 1–3 items TUPLE1–3.
    void intTuple(const std::vector<int64_t>& v) {
        if (v.empty()) { op(')'); return; }
        if (v.size() > 3) op('(');
        for (int64_t x : v) integer(x);
        op(v.size() > 3 ? 't' : static_cast<uint8_t>(0x85 + v.size() - 1));
        memoize();
    }
    void emptyOrderedDict() {
        global("collections", "OrderedDict");
        op(')'); op('R'); memoize();
    }
    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).
    void tensor(const std::string& storageType, const std::string& key, int64_t numel, int64_t offset,
                const std::vector<int64_t>& size, const std::vector<int64_t>& stride, bool parameter = false) {
        if (parameter) global("torch._utils", "_rebuild_parameter");
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        op('(');
        str("storage");
        global("torch", storageType);
        str(key);
        str("cpu");
        integer(numel);
        op('t'); memoize();
        op('Q');
        integer(offset);
        intTuple(size);
        intTuple(stride);
        op(0x89);
        emptyOrderedDict();
        op('t'); memoize();
        op('R'); memoize();
        if (parameter) {  // _rebuild_parameter(data, requires_grad=True, OrderedDict())
            op(0x88);
            emptyOrderedDict();
            op(0x87); memoize();
            op('R'); memoize();
        }
    }
    // Closes a state dict whose entries were written after beginStateDict(): SETITEMS, then the
    // _metadata state for BUILD ({'': {'version': 1}} as torch's Module.state_dict records it).
    void beginStateDict() { emptyOrderedDict(); op('('); }
    void endStateDict() {
        op('u');
        op('}'); memoize();
        str("_metadata");
        emptyOrderedDict();
        str("");
        op('}'); memoize();
        str("version");
        integer(1);
        op('s');
        op('s');
        op('s');
        op('b');
    }
    std::vector<std::byte> finish() { op('.'); return m_out; }

private:
    std::vector<std::byte> m_out;
    uint32_t m_next = 0;
    std::map<std::string, uint32_t> m_strings, m_globals;
};

}  // namespace qv::test
