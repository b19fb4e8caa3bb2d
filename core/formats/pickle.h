// A restricted unpickler for torch.save state dicts: builds values, never calls or imports anything.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/tensor/dtype.h"

namespace qv {

// One value the pickle built. Containers refer to other values by index into PickleProgram::values
// (an arena: no ownership cycles even when a hostile pickle puts a dict inside itself).
struct PickleValue {
    enum class Kind : uint8_t {
        None, Bool, Int, Float, String, Tuple, List, Dict,
        Global,      // an allowlisted class or function ("torch.FloatStorage"), only ever compared
        StorageRef,  // a persistent id ('storage', <type>, key, location, numel) → archive data/<key>
        Tensor,      // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)
    };
    Kind kind = Kind::None;
    int64_t integer = 0;           // Int, Bool; Tensor: storage offset in elements; StorageRef: numel
    double real = 0;               // Float
    std::string text;              // String; Global: "module.name"; StorageRef: storage key
    std::vector<uint32_t> items;   // Tuple/List items; Dict: key0, value0, key1, value1, …
    DType dtype = DType::F32;      // StorageRef, Tensor
    uint32_t storage = 0;          // Tensor: index of its StorageRef value
    std::vector<int64_t> size;     // Tensor
    std::vector<int64_t> stride;   // Tensor
};

struct PickleProgram {
    std::vector<PickleValue> values;
    uint32_t root = 0;
};

// Runs the pickle opcodes that torch.save of a state dict emits (protocols 2–5; opcode list and
// semantics from CPython Lib/pickletools.py and Lib/pickle.py). GLOBAL / STACK_GLOBAL accept only
// collections.OrderedDict, torch._utils._rebuild_tensor{,_v2}, torch._utils._rebuild_parameter{,_with_state}
// and the torch.<Type>Storage classes; REDUCE only applies those functions to their expected
// arguments. Any other opcode or name is refused with an error naming it and its byte offset.
// `context` names the file and member in messages.
Result<PickleProgram> unpickleTorch(std::span<const std::byte> bytes, const std::string& context);

}  // namespace qv
