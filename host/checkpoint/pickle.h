// A restricted unpickler. It runs the pickle opcodes that torch.save emits
// (protocol 2, plus the few protocol 4 ones) and builds plain values, but it
// never imports or calls anything: GLOBAL, REDUCE, BUILD and BINPERSID are
// handed to PickleHooks, which accept an allow-list and refuse the rest.
// Values live in one arena and refer to each other by index, so hostile
// input (cycles, deep nesting) cannot blow the stack on destruction.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hfx {

using PickleRef = uint32_t;

struct PickleValue {
    enum class Kind : uint8_t { none, boolean, integer, floating, string, tuple, list, dict, global, object };
    Kind kind = Kind::none;
    int64_t i = 0;                 // boolean, integer; index into the hooks' table for objects
    double f = 0;                  // floating
    std::string s;                 // string; "module.name" for globals; type name for objects
    std::vector<PickleRef> items;  // tuple, list; dict as key, value, key, value...

    static PickleValue of(Kind kind, int64_t i = 0) {
        PickleValue v;
        v.kind = kind;
        v.i = i;
        return v;
    }
    static PickleValue text(Kind kind, std::string s, int64_t i = 0) {  // string, global, object
        PickleValue v = of(kind, i);
        v.s = std::move(s);
        return v;
    }
};

class Pickle {
public:
    PickleRef add(PickleValue v);
    const PickleValue& operator[](PickleRef r) const { return values_[r]; }
    PickleValue& operator[](PickleRef r) { return values_[r]; }
    size_t size() const { return values_.size(); }

private:
    std::vector<PickleValue> values_;
};

const char* pickle_kind_name(PickleValue::Kind kind);

class PickleHooks {
public:
    virtual ~PickleHooks() = default;
    // GLOBAL: throw to refuse; on success the value is a global "module.name".
    virtual void check_global(const std::string& module, const std::string& name) = 0;
    virtual PickleRef persistent_load(Pickle& p, PickleRef pid) = 0;
    virtual PickleRef reduce(Pickle& p, PickleRef callable, PickleRef args) = 0;
    virtual void build(Pickle& p, PickleRef object, PickleRef state) = 0;
};

// Runs the pickle in `data`. Errors are `pickle '<file>': <what> (byte N of <entry>)`;
// hooks throw hfx::Error with just <what> and the VM adds the rest.
PickleRef unpickle(const uint8_t* data, size_t size, const std::string& file, const std::string& entry,
                   PickleHooks& hooks, Pickle& arena);

}  // namespace hfx
