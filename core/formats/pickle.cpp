// Restricted pickle machine: the opcode subset torch.save uses, with an allowlist of names.
#include "core/formats/pickle.h"

#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace qv {

namespace {

// Opcode bytes: CPython Lib/pickle.py (the constants block) and Lib/pickletools.py (documentation).
enum Op : uint8_t {
    kMark = '(', kStop = '.', kBinInt = 'J', kBinInt1 = 'K', kBinInt2 = 'M', kNone = 'N',
    kBinPersId = 'Q', kReduce = 'R', kBinUnicode = 'X', kAppend = 'a', kBuild = 'b', kGlobal = 'c',
    kAppends = 'e', kBinGet = 'h', kLongBinGet = 'j', kEmptyList = ']', kBinPut = 'q',
    kLongBinPut = 'r', kSetItem = 's', kTuple = 't', kSetItems = 'u', kEmptyDict = '}',
    kEmptyTuple = ')', kBinFloat = 'G',
    kProto = 0x80, kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88,
    kNewFalse = 0x89, kLong1 = 0x8a, kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d,
    kStackGlobal = 0x93, kMemoize = 0x94, kFrame = 0x95,
};

// torch.<Name>Storage → element type (torch/storage.py _LegacyStorage subclasses; torch/__init__.py).
std::optional<DType> storageDType(std::string_view global) {
    static const std::pair<std::string_view, DType> kTypes[] = {
        {"torch.FloatStorage", DType::F32},   {"torch.DoubleStorage", DType::F64},
        {"torch.HalfStorage", DType::F16},    {"torch.BFloat16Storage", DType::BF16},
        {"torch.LongStorage", DType::I64},    {"torch.IntStorage", DType::I32},
        {"torch.ShortStorage", DType::I16},   {"torch.CharStorage", DType::I8},
        {"torch.ByteStorage", DType::U8},     {"torch.BoolStorage", DType::Bool},
    };
    for (const auto& [name, dtype] : kTypes)
        if (name == global) return dtype;
    return std::nullopt;
}

constexpr std::string_view kOrderedDict = "collections.OrderedDict";
constexpr std::string_view kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
constexpr std::string_view kRebuildTensor = "torch._utils._rebuild_tensor";
constexpr std::string_view kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr std::string_view kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";

bool allowedGlobal(std::string_view name) {
    return name == kOrderedDict || name == kRebuildTensorV2 || name == kRebuildTensor ||
           name == kRebuildParameter || name == kRebuildParameterWithState ||
           storageDType(name).has_value();
}

const char* opName(uint8_t op) {
    switch (op) {
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'F': return "FLOAT";
    case 'S': return "STRING";
    case 'V': return "UNICODE";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 'P': return "PERSID";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 'l': return "LIST";
    case 'd': return "DICT";
    case 'p': return "PUT";
    case 'g': return "GET";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x8b: return "LONG4";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return "unknown opcode";
    }
}

std::string hexByte(uint8_t b) {
    static const char* kDigits = "0123456789abcdef";
    return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
}

class Machine {
public:
    Machine(std::span<const std::byte> bytes, const std::string& context)
        : m_bytes(bytes), m_context(context) {}

    Result<PickleProgram> run();

private:
    // Values 0..2 are shared singletons so that None/True/False cost no arena space.
    static constexpr uint32_t kNoneIndex = 0, kFalseIndex = 1, kTrueIndex = 2;

    Error fail(const std::string& what) const {
        return makeError(m_context + ": pickle opcode at byte offset " + std::to_string(m_opOffset) +
                         ": " + what);
    }
    bool need(size_t n) const { return n <= m_bytes.size() - m_pos; }
    uint64_t readLe(size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= uint64_t(uint8_t(m_bytes[m_pos + i])) << (8 * i);
        m_pos += n;
        return v;
    }
    uint32_t push(PickleValue v) {
        m_program.values.push_back(std::move(v));
        const auto index = static_cast<uint32_t>(m_program.values.size() - 1);
        m_stack.push_back(index);
        return index;
    }
    std::optional<uint32_t> pop() {
        if (m_stack.size() <= stackFloor()) return std::nullopt;
        const uint32_t v = m_stack.back();
        m_stack.pop_back();
        return v;
    }
    size_t stackFloor() const { return m_marks.empty() ? 0 : m_marks.back(); }
    // Items above the topmost mark, which is removed (pickle.py pop_mark).
    std::optional<std::vector<uint32_t>> popMark() {
        if (m_marks.empty()) return std::nullopt;
        const size_t at = m_marks.back();
        m_marks.pop_back();
        std::vector<uint32_t> items(m_stack.begin() + static_cast<std::ptrdiff_t>(at), m_stack.end());
        m_stack.resize(at);
        return items;
    }
    PickleValue& value(uint32_t i) { return m_program.values[i]; }

    Result<Ok> readString(size_t lenBytes);
    Result<Ok> global(std::string name);
    Result<Ok> reduce();
    Result<Ok> persistentLoad();

    std::span<const std::byte> m_bytes;
    const std::string& m_context;
    size_t m_pos = 0;
    size_t m_opOffset = 0;
    PickleProgram m_program;
    std::vector<uint32_t> m_stack;
    std::vector<size_t> m_marks;
    std::unordered_map<uint64_t, uint32_t> m_memo;
};

Result<Ok> Machine::readString(size_t lenBytes) {
    if (!need(lenBytes)) return fail("string length runs past the end of the pickle");
    const uint64_t len = readLe(lenBytes);
    if (len > m_bytes.size() - m_pos) return fail("string of " + std::to_string(len) + " bytes runs past the end of the pickle");
    PickleValue v;
    v.kind = PickleValue::Kind::String;
    v.text.assign(reinterpret_cast<const char*>(m_bytes.data()) + m_pos, static_cast<size_t>(len));
    m_pos += static_cast<size_t>(len);
    push(std::move(v));
    return Ok{};
}

Result<Ok> Machine::global(std::string name) {
    if (!allowedGlobal(name))
        return fail("GLOBAL '" + name + "' is not allowed (only the types torch.save uses for a state dict: "
                    "OrderedDict, _rebuild_tensor_v2, _rebuild_parameter, torch.*Storage)");
    PickleValue v;
    v.kind = PickleValue::Kind::Global;
    v.text = std::move(name);
    push(std::move(v));
    return Ok{};
}

Result<Ok> Machine::persistentLoad() {
    // torch/serialization.py _save persistent_id: ('storage', storage_type, key, location, numel).
    auto pid = pop();
    if (!pid) return fail("BINPERSID on an empty stack");
    const PickleValue& t = value(*pid);
    if (t.kind != PickleValue::Kind::Tuple || t.items.size() != 5)
        return fail("BINPERSID: persistent id is not a 5-tuple ('storage', type, key, location, numel)");
    const PickleValue& tag = value(t.items[0]);
    const PickleValue& type = value(t.items[1]);
    const PickleValue& key = value(t.items[2]);
    const PickleValue& numel = value(t.items[4]);
    if (tag.kind != PickleValue::Kind::String || tag.text != "storage")
        return fail("BINPERSID: persistent id tag is not 'storage'");
    if (type.kind != PickleValue::Kind::Global || !storageDType(type.text))
        return fail("BINPERSID: storage type is not a torch.*Storage class");
    if (key.kind != PickleValue::Kind::String && key.kind != PickleValue::Kind::Int)
        return fail("BINPERSID: storage key is not a string");
    if (numel.kind != PickleValue::Kind::Int || numel.integer < 0)
        return fail("BINPERSID: storage element count is not a non-negative integer");
    PickleValue ref;
    ref.kind = PickleValue::Kind::StorageRef;
    ref.dtype = *storageDType(type.text);
    ref.text = key.kind == PickleValue::Kind::String ? key.text : std::to_string(key.integer);
    ref.integer = numel.integer;
    push(std::move(ref));
    return Ok{};
}

Result<Ok> Machine::reduce() {
    auto args = pop();
    auto callable = pop();
    if (!args || !callable) return fail("REDUCE needs a callable and an argument tuple");
    const PickleValue& fn = value(*callable);
    const PickleValue& a = value(*args);
    if (fn.kind != PickleValue::Kind::Global) return fail("REDUCE on something that is not an allowed global");
    if (a.kind != PickleValue::Kind::Tuple) return fail("REDUCE arguments are not a tuple");
    const std::string fnName = fn.text;
    const std::vector<uint32_t> argv = a.items;

    if (fnName == kOrderedDict) {
        if (!argv.empty()) return fail("REDUCE collections.OrderedDict with arguments (only OrderedDict() is supported)");
        PickleValue d;
        d.kind = PickleValue::Kind::Dict;
        push(std::move(d));
        return Ok{};
    }
    if (fnName == kRebuildParameter || fnName == kRebuildParameterWithState) {
        // torch/_utils.py: _rebuild_parameter(data, requires_grad, backward_hooks[, state]) — the
        // data tensor is what we show.
        if (argv.empty() || value(argv[0]).kind != PickleValue::Kind::Tensor)
            return fail("REDUCE " + fnName + ": first argument is not a tensor");
        m_stack.push_back(argv[0]);
        return Ok{};
    }
    if (fnName == kRebuildTensorV2 || fnName == kRebuildTensor) {
        // torch/_utils.py: _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
        // backward_hooks[, metadata]); _rebuild_tensor(storage, storage_offset, size, stride).
        if (argv.size() < 4) return fail("REDUCE " + fnName + ": expected at least 4 arguments");
        const PickleValue& storage = value(argv[0]);
        const PickleValue& offset = value(argv[1]);
        const PickleValue& size = value(argv[2]);
        const PickleValue& stride = value(argv[3]);
        if (storage.kind != PickleValue::Kind::StorageRef) return fail("REDUCE " + fnName + ": argument 1 is not a storage");
        if (offset.kind != PickleValue::Kind::Int || offset.integer < 0)
            return fail("REDUCE " + fnName + ": storage offset is not a non-negative integer");
        if (size.kind != PickleValue::Kind::Tuple || stride.kind != PickleValue::Kind::Tuple ||
            size.items.size() != stride.items.size())
            return fail("REDUCE " + fnName + ": size and stride are not tuples of equal length");
        PickleValue t;
        t.kind = PickleValue::Kind::Tensor;
        t.storage = argv[0];
        t.dtype = storage.dtype;
        t.integer = offset.integer;
        for (size_t i = 0; i < size.items.size(); ++i) {
            const PickleValue& d = value(size.items[i]);
            const PickleValue& s = value(stride.items[i]);
            if (d.kind != PickleValue::Kind::Int || s.kind != PickleValue::Kind::Int || d.integer < 0 || s.integer < 0)
                return fail("REDUCE " + fnName + ": size/stride entry " + std::to_string(i) + " is not a non-negative integer");
            t.size.push_back(d.integer);
            t.stride.push_back(s.integer);
        }
        push(std::move(t));
        return Ok{};
    }
    return fail("REDUCE " + fnName + " is not supported (not a function; nothing is ever called)");
}

Result<PickleProgram> Machine::run() {
    for (PickleValue::Kind k : {PickleValue::Kind::None, PickleValue::Kind::Bool, PickleValue::Kind::Bool}) {
        PickleValue v;
        v.kind = k;
        m_program.values.push_back(std::move(v));
    }
    m_program.values[kTrueIndex].integer = 1;

    while (m_pos < m_bytes.size()) {
        m_opOffset = m_pos;
        const auto op = static_cast<uint8_t>(m_bytes[m_pos++]);
        switch (op) {
        case kProto: {
            if (!need(1)) return fail("PROTO truncated");
            const auto v = readLe(1);
            if (v < 2 || v > 5) return fail("PROTO " + std::to_string(v) + " is not supported (2–5)");
            break;
        }
        case kFrame: {  // protocol 4 framing: only a size hint for buffered readers
            if (!need(8)) return fail("FRAME truncated");
            const uint64_t len = readLe(8);
            if (len > m_bytes.size() - m_pos) return fail("FRAME length runs past the end of the pickle");
            break;
        }
        case kStop: {
            auto root = pop();
            if (!root) return fail("STOP on an empty stack");
            m_program.root = *root;
            return std::move(m_program);
        }
        case kMark: m_marks.push_back(m_stack.size()); break;
        case kNone: m_stack.push_back(kNoneIndex); break;
        case kNewFalse: m_stack.push_back(kFalseIndex); break;
        case kNewTrue: m_stack.push_back(kTrueIndex); break;
        case kEmptyDict: push(PickleValue{PickleValue::Kind::Dict}); break;
        case kEmptyList: push(PickleValue{PickleValue::Kind::List}); break;
        case kEmptyTuple: push(PickleValue{PickleValue::Kind::Tuple}); break;
        case kBinInt1: case kBinInt2: case kBinInt: {
            const size_t n = op == kBinInt1 ? 1 : op == kBinInt2 ? 2 : 4;
            if (!need(n)) return fail("integer truncated");
            uint64_t raw = readLe(n);
            PickleValue v;
            v.kind = PickleValue::Kind::Int;
            // BININT is a signed 32-bit value; BININT1/BININT2 are unsigned.
            v.integer = op == kBinInt ? int64_t(int32_t(uint32_t(raw))) : int64_t(raw);
            push(std::move(v));
            break;
        }
        case kLong1: {  // n-byte little-endian two's complement (pickle.py encode_long)
            if (!need(1)) return fail("LONG1 truncated");
            const auto n = static_cast<size_t>(readLe(1));
            if (n > 8) return fail("LONG1 of " + std::to_string(n) + " bytes does not fit 64 bits");
            if (!need(n)) return fail("LONG1 truncated");
            uint64_t raw = readLe(n);
            if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1) raw |= ~uint64_t{0} << (8 * n);  // sign-extend
            PickleValue v;
            v.kind = PickleValue::Kind::Int;
            v.integer = static_cast<int64_t>(raw);
            push(std::move(v));
            break;
        }
        case kBinFloat: {  // 8-byte big-endian IEEE double
            if (!need(8)) return fail("BINFLOAT truncated");
            uint64_t raw = 0;
            for (int i = 0; i < 8; ++i) raw = (raw << 8) | uint8_t(m_bytes[m_pos + i]);
            m_pos += 8;
            PickleValue v;
            v.kind = PickleValue::Kind::Float;
            std::memcpy(&v.real, &raw, sizeof raw);
            push(std::move(v));
            break;
        }
        case kShortBinUnicode: case kBinUnicode: case kBinUnicode8: {
            auto r = readString(op == kShortBinUnicode ? 1 : op == kBinUnicode ? 4 : 8);
            if (!r) return r.error();
            break;
        }
        case kTuple: {
            auto items = popMark();
            if (!items) return fail("TUPLE without MARK");
            PickleValue v;
            v.kind = PickleValue::Kind::Tuple;
            v.items = std::move(*items);
            push(std::move(v));
            break;
        }
        case kTuple1: case kTuple2: case kTuple3: {
            const size_t n = op - kTuple1 + 1u;
            if (m_stack.size() < stackFloor() + n) return fail("TUPLE" + std::to_string(n) + " on a stack too short");
            PickleValue v;
            v.kind = PickleValue::Kind::Tuple;
            v.items.assign(m_stack.end() - static_cast<std::ptrdiff_t>(n), m_stack.end());
            m_stack.resize(m_stack.size() - n);
            push(std::move(v));
            break;
        }
        case kAppend: case kAppends: {
            std::vector<uint32_t> items;
            if (op == kAppend) {
                auto item = pop();
                if (!item) return fail("APPEND on an empty stack");
                items.push_back(*item);
            } else {
                auto got = popMark();
                if (!got) return fail("APPENDS without MARK");
                items = std::move(*got);
            }
            if (m_stack.size() <= stackFloor()) return fail("APPEND(S) without a list");
            PickleValue& list = value(m_stack.back());
            if (list.kind != PickleValue::Kind::List) return fail("APPEND(S) to something that is not a list");
            list.items.insert(list.items.end(), items.begin(), items.end());
            break;
        }
        case kSetItem: case kSetItems: {
            std::vector<uint32_t> items;
            if (op == kSetItem) {
                auto v = pop();
                auto k = pop();
                if (!v || !k) return fail("SETITEM needs a key and a value");
                items = {*k, *v};
            } else {
                auto got = popMark();
                if (!got) return fail("SETITEMS without MARK");
                if (got->size() % 2) return fail("SETITEMS with an odd number of items");
                items = std::move(*got);
            }
            if (m_stack.size() <= stackFloor()) return fail("SETITEM(S) without a dict");
            PickleValue& dict = value(m_stack.back());
            if (dict.kind != PickleValue::Kind::Dict) return fail("SETITEM(S) on something that is not a dict");
            dict.items.insert(dict.items.end(), items.begin(), items.end());
            break;
        }
        case kBinPut: case kLongBinPut: case kMemoize: {
            uint64_t key = m_memo.size();
            if (op != kMemoize) {
                const size_t n = op == kBinPut ? 1 : 4;
                if (!need(n)) return fail("PUT truncated");
                key = readLe(n);
            }
            if (m_stack.size() <= stackFloor()) return fail("PUT on an empty stack");
            m_memo[key] = m_stack.back();
            break;
        }
        case kBinGet: case kLongBinGet: {
            const size_t n = op == kBinGet ? 1 : 4;
            if (!need(n)) return fail("GET truncated");
            const uint64_t key = readLe(n);
            auto it = m_memo.find(key);
            if (it == m_memo.end()) return fail("GET of memo entry " + std::to_string(key) + " that was never stored");
            m_stack.push_back(it->second);
            break;
        }
        case kGlobal: {  // "module\nname\n"
            std::string parts[2];
            for (auto& part : parts) {
                const auto* begin = reinterpret_cast<const char*>(m_bytes.data()) + m_pos;
                const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', m_bytes.size() - m_pos));
                if (!nl) return fail("GLOBAL name is not terminated");
                part.assign(begin, nl);
                m_pos += static_cast<size_t>(nl - begin) + 1;
            }
            auto r = global(parts[0] + "." + parts[1]);
            if (!r) return r.error();
            break;
        }
        case kStackGlobal: {
            auto name = pop();
            auto module = pop();
            if (!name || !module || value(*name).kind != PickleValue::Kind::String ||
                value(*module).kind != PickleValue::Kind::String)
                return fail("STACK_GLOBAL needs two strings");
            auto r = global(value(*module).text + "." + value(*name).text);
            if (!r) return r.error();
            break;
        }
        case kBinPersId: {
            auto r = persistentLoad();
            if (!r) return r.error();
            break;
        }
        case kReduce: {
            auto r = reduce();
            if (!r) return r.error();
            break;
        }
        case kBuild: {
            // obj.__setstate__(state): OrderedDict's _metadata attribute, a Parameter's __dict__.
            // Tensors and dicts keep their contents; the state is not needed to show weights.
            auto state = pop();
            if (!state || m_stack.size() <= stackFloor()) return fail("BUILD needs an object and a state");
            break;
        }
        default:
            return fail(std::string(opName(op)) + " (" + hexByte(op) +
                        ") is not supported (only the opcodes torch.save emits for a state dict)");
        }
    }
    return makeError(m_context + ": pickle ends without STOP (truncated at byte offset " +
                     std::to_string(m_bytes.size()) + ")");
}

}  // namespace

Result<PickleProgram> unpickleTorch(std::span<const std::byte> bytes, const std::string& context) {
    return Machine(bytes, context).run();
}

}  // namespace qv
