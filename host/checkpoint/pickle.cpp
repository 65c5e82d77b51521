#include "checkpoint/pickle.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "core/error.h"

namespace hfx {
namespace {

using Kind = PickleValue::Kind;

// A state dict pickle holds ~15 values per tensor; four million values is far
// beyond any real checkpoint and bounds what a hostile file can allocate.
constexpr size_t max_values = size_t(1) << 22;

struct Machine {
    Machine(const uint8_t* d, size_t n, PickleHooks& h, Pickle& a) : data(d), size(n), hooks(h), p(a) {}
    const uint8_t* data;
    size_t size;
    PickleHooks& hooks;
    Pickle& p;
    size_t pos = 0;
    size_t op_pos = 0;  // where the current opcode began, for messages
    std::vector<PickleRef> stack;
    std::vector<size_t> marks;
    std::unordered_map<uint32_t, PickleRef> memo;

    const uint8_t* take(size_t n) {
        if (size - pos < n) fail("truncated: needs ", std::to_string(n), " more bytes");
        const uint8_t* at = data + pos;
        pos += n;
        return at;
    }
    uint64_t le(size_t n) {
        const uint8_t* b = take(n);
        uint64_t v = 0;
        for (size_t i = n; i-- > 0;) v = (v << 8) | b[i];
        return v;
    }
    std::string line() {
        const void* nl = std::memchr(data + pos, '\n', size - pos);
        if (!nl) fail("truncated: GLOBAL name without a newline");
        size_t n = size_t(static_cast<const uint8_t*>(nl) - (data + pos));
        std::string s(reinterpret_cast<const char*>(take(n)), n);
        take(1);
        return s;
    }

    PickleRef push(PickleValue v) {
        PickleRef r = p.add(std::move(v));
        stack.push_back(r);
        return r;
    }
    PickleRef push_int(int64_t i) { return push(PickleValue::of(Kind::integer, i)); }
    PickleRef push_string(size_t n) {
        return push(PickleValue::text(Kind::string, std::string(reinterpret_cast<const char*>(take(n)), n)));
    }
    void push_float(double f) {
        PickleValue v = PickleValue::of(Kind::floating);
        v.f = f;
        push(std::move(v));
    }
    PickleRef pop() {
        if (stack.size() <= (marks.empty() ? 0 : marks.back())) fail("stack underflow");
        PickleRef r = stack.back();
        stack.pop_back();
        return r;
    }
    PickleRef& top() {
        if (stack.size() <= (marks.empty() ? 0 : marks.back())) fail("stack underflow");
        return stack.back();
    }
    std::vector<PickleRef> pop_mark() {
        if (marks.empty()) fail("MARK missing");
        std::vector<PickleRef> items(stack.begin() + ptrdiff_t(marks.back()), stack.end());
        stack.resize(marks.back());
        marks.pop_back();
        return items;
    }
    void push_tuple(std::vector<PickleRef> items) {
        PickleValue v = PickleValue::of(Kind::tuple);
        v.items = std::move(items);
        push(std::move(v));
    }
    PickleValue& target(Kind kind, const char* op) {
        PickleValue& v = p[top()];
        if (v.kind != kind) fail(op, " on a ", pickle_kind_name(v.kind), ", expected a ", pickle_kind_name(kind));
        return v;
    }
    void put(uint32_t key) { memo[key] = top(); }
    void get(uint32_t key) {
        auto it = memo.find(key);
        if (it == memo.end()) fail("memo key ", std::to_string(key), " was never stored");
        stack.push_back(it->second);
    }

    PickleRef run() {
        for (;;) {
            op_pos = pos;
            uint8_t op = *take(1);
            switch (op) {
                case 0x80:
                    if (le(1) > 5) fail("pickle protocol above 5");
                    break;  // PROTO
                case 0x95:
                    take(8);
                    break;   // FRAME
                case '.': {  // STOP
                    PickleRef r = pop();
                    if (!marks.empty()) fail("STOP inside an open MARK");
                    return r;
                }
                case '(':
                    marks.push_back(stack.size());
                    break;  // MARK
                case '0':
                    pop();
                    break;  // POP
                case '}':
                    push(PickleValue::of(Kind::dict));
                    break;  // EMPTY_DICT
                case ']':
                    push(PickleValue::of(Kind::list));
                    break;  // EMPTY_LIST
                case ')':
                    push(PickleValue::of(Kind::tuple));
                    break;  // EMPTY_TUPLE
                case 'N':
                    push(PickleValue::of(Kind::none));
                    break;
                case 0x88:
                    push(PickleValue::of(Kind::boolean, 1));
                    break;  // NEWTRUE
                case 0x89:
                    push(PickleValue::of(Kind::boolean, 0));
                    break;  // NEWFALSE
                case 'J':
                    push_int(int32_t(uint32_t(le(4))));
                    break;  // BININT
                case 'K':
                    push_int(int64_t(le(1)));
                    break;  // BININT1
                case 'M':
                    push_int(int64_t(le(2)));
                    break;    // BININT2
                case 0x8a: {  // LONG1
                    size_t n = size_t(le(1));
                    if (n > 8) fail("LONG1 of ", std::to_string(n), " bytes is too large");
                    uint64_t v = n ? le(n) : 0;
                    if (n && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
                    push_int(int64_t(v));
                    break;
                }
                case 'G':
                    push_float(std::bit_cast<double>(be64()));
                    break;
                case 'X':
                    push_string(size_t(le(4)));
                    break;  // BINUNICODE
                case 0x8c:
                    push_string(size_t(le(1)));
                    break;  // SHORT_BINUNICODE
                case 0x8d:
                    push_string(size_t(le(8)));
                    break;  // BINUNICODE8
                case 'q':
                    put(uint32_t(le(1)));
                    break;  // BINPUT
                case 'r':
                    put(uint32_t(le(4)));
                    break;  // LONG_BINPUT
                case 0x94:
                    put(uint32_t(memo.size()));
                    break;  // MEMOIZE
                case 'h':
                    get(uint32_t(le(1)));
                    break;  // BINGET
                case 'j':
                    get(uint32_t(le(4)));
                    break;  // LONG_BINGET
                case 't':
                    push_tuple(pop_mark());
                    break;  // TUPLE
                case 0x85: {
                    PickleRef a = pop();
                    push_tuple({a});
                    break;
                }  // TUPLE1
                case 0x86: {
                    PickleRef b = pop(), a = pop();
                    push_tuple({a, b});
                    break;
                }
                case 0x87: {
                    PickleRef c = pop(), b = pop(), a = pop();
                    push_tuple({a, b, c});
                    break;
                }
                case 'c': {  // GLOBAL
                    std::string module = line(), name = line();
                    global(module, name);
                    break;
                }
                case 0x93: {  // STACK_GLOBAL
                    PickleRef name = pop(), module = pop();
                    if (p[name].kind != Kind::string || p[module].kind != Kind::string)
                        fail("STACK_GLOBAL needs two strings");
                    global(p[module].s, p[name].s);
                    break;
                }
                case 'Q': {
                    PickleRef pid = pop();
                    stack.push_back(hooks.persistent_load(p, pid));
                    break;
                }
                case 'R': {  // REDUCE
                    PickleRef args = pop(), fn = pop();
                    if (p[args].kind != Kind::tuple) fail("REDUCE arguments are not a tuple");
                    stack.push_back(hooks.reduce(p, fn, args));
                    break;
                }
                case 'b': {
                    PickleRef state = pop();
                    hooks.build(p, top(), state);
                    break;
                }            // BUILD
                case 's': {  // SETITEM
                    PickleRef v = pop(), k = pop();
                    auto& items = target(Kind::dict, "SETITEM").items;
                    items.push_back(k);
                    items.push_back(v);
                    break;
                }
                case 'u': {  // SETITEMS
                    auto kv = pop_mark();
                    if (kv.size() % 2) fail("SETITEMS with an odd number of items");
                    auto& items = target(Kind::dict, "SETITEMS").items;
                    items.insert(items.end(), kv.begin(), kv.end());
                    break;
                }
                case 'a': {
                    PickleRef v = pop();
                    target(Kind::list, "APPEND").items.push_back(v);
                    break;
                }
                case 'e': {  // APPENDS
                    auto vs = pop_mark();
                    auto& items = target(Kind::list, "APPENDS").items;
                    items.insert(items.end(), vs.begin(), vs.end());
                    break;
                }
                default: {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%02x", op);
                    fail("opcode ", hex, " is not supported");
                }
            }
        }
    }
    uint64_t be64() {
        const uint8_t* b = take(8);
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
        return v;
    }
    void global(const std::string& module, const std::string& name) {
        hooks.check_global(module, name);
        push(PickleValue::text(Kind::global, module + "." + name));
    }
};

}  // namespace

PickleRef Pickle::add(PickleValue v) {
    if (values_.size() >= max_values) fail("more than ", std::to_string(max_values), " values");
    values_.push_back(std::move(v));
    return PickleRef(values_.size() - 1);
}

const char* pickle_kind_name(PickleValue::Kind kind) {
    switch (kind) {
        case Kind::none:
            return "None";
        case Kind::boolean:
            return "bool";
        case Kind::integer:
            return "int";
        case Kind::floating:
            return "float";
        case Kind::string:
            return "str";
        case Kind::tuple:
            return "tuple";
        case Kind::list:
            return "list";
        case Kind::dict:
            return "dict";
        case Kind::global:
            return "global";
        case Kind::object:
            return "object";
    }
    return "?";
}

PickleRef unpickle(const uint8_t* data, size_t size, const std::string& file, const std::string& entry,
                   PickleHooks& hooks, Pickle& arena) {
    Machine m(data, size, hooks, arena);
    try {
        return m.run();
    } catch (const Error& e) {
        fail("pickle '", file, "': ", e.what(), " (byte ", std::to_string(m.op_pos), " of ", entry, ")");
    }
}

}  // namespace hfx
