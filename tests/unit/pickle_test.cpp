// The restricted unpickler on its own: opcodes, values and refusals, with
// hooks that allow one harmless global and build nothing.
#include "checkpoint/pickle.h"

#include "test_util.h"

namespace hfx::test {
namespace {

using Kind = PickleValue::Kind;

struct TestHooks : PickleHooks {
    void check_global(const std::string& module, const std::string& name) override {
        if (module + "." + name != "collections.OrderedDict") fail("global '", module, ".", name, "' is not allowed");
    }
    PickleRef persistent_load(Pickle& p, PickleRef pid) override { return pid; }
    PickleRef reduce(Pickle& p, PickleRef fn, PickleRef args) override { return p.add(PickleValue::of(Kind::dict)); }
    void build(Pickle& p, PickleRef object, PickleRef state) override {}
};

struct Result {
    Pickle p;
    PickleRef root = 0;
};

Result run(const std::string& bytes) {
    Result r;
    TestHooks hooks;
    r.root = unpickle(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "f.bin", "data.pkl", hooks, r.p);
    return r;
}

// A string literal with its embedded NULs kept.
template <size_t N>
std::string bytes(const char (&s)[N]) {
    return std::string(s, N - 1);
}

std::string run_error(const std::string& bytes) {
    return error_of([&] { run(bytes); });
}

TEST(Pickle, IntegersOfEveryWidth) {
    // BININT1 200, BININT2 60000, BININT -5, LONG1 -2 (one byte 0xfe), LONG1 2^40
    std::string b = std::string("\x80\x02(K\xc8M\x60\xea", 8) + "J" + le_bytes(uint32_t(-5), 4) +
                    std::string("\x8a\x01\xfe", 3) + "\x8a\x06" + le_bytes(uint64_t(1) << 40, 6) + "t.";
    Result r = run(b);
    const auto& t = r.p[r.root];
    ASSERT_EQ(t.kind, Kind::tuple);
    std::vector<int64_t> got;
    for (auto i : t.items) got.push_back(r.p[i].i);
    EXPECT_EQ(got, (std::vector<int64_t>{200, 60000, -5, -2, int64_t(1) << 40}));
}

TEST(Pickle, StringsMemoListsAndFloats) {
    // [ 'ab', 'ab' (via memo), 1.5, None, True ]
    std::string b = bytes(
        "\x80\x02](X\x02\x00\x00\x00"
        "abq\x07h\x07G\x3f\xf8\x00\x00\x00\x00\x00\x00N\x88"
        "e.");
    Result r = run(b);
    const auto& l = r.p[r.root];
    ASSERT_EQ(l.kind, Kind::list);
    ASSERT_EQ(l.items.size(), 5u);
    EXPECT_EQ(r.p[l.items[0]].s, "ab");
    EXPECT_EQ(l.items[1], l.items[0]);
    EXPECT_EQ(r.p[l.items[2]].f, 1.5);
    EXPECT_EQ(r.p[l.items[3]].kind, Kind::none);
    EXPECT_EQ(r.p[l.items[4]].i, 1);
}

TEST(Pickle, ForbiddenGlobalNeverRuns) {
    std::string b = PickleBuilder().global("os", "system").str("touch /tmp/pwned").op('\x85').op('R').done();
    EXPECT_EQ(run_error(b), "pickle 'f.bin': global 'os.system' is not allowed (byte 2 of data.pkl)");
    std::string stack_global =
        "\x80\x04\x8c\x08"
        "builtins\x8c\x04"
        "eval\x93.";
    EXPECT_EQ(run_error(stack_global), "pickle 'f.bin': global 'builtins.eval' is not allowed (byte 18 of data.pkl)");
}

TEST(Pickle, MalformedStreams) {
    EXPECT_EQ(run_error("\x80\x02"), "pickle 'f.bin': truncated: needs 1 more bytes (byte 2 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02."), "pickle 'f.bin': stack underflow (byte 2 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02h\x05."), "pickle 'f.bin': memo key 5 was never stored (byte 2 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02t."), "pickle 'f.bin': MARK missing (byte 2 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02X\xff\xff\xff\x7f"),
              "pickle 'f.bin': truncated: needs 2147483647 more bytes (byte 2 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02i"), "pickle 'f.bin': opcode 0x69 is not supported (byte 2 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02}K\x01s."), "pickle 'f.bin': stack underflow (byte 5 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02]K\x01K\x02s."),
              "pickle 'f.bin': SETITEM on a list, expected a dict (byte 7 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x02(]."), "pickle 'f.bin': STOP inside an open MARK (byte 4 of data.pkl)");
    EXPECT_EQ(run_error("\x80\x09."), "pickle 'f.bin': pickle protocol above 5 (byte 0 of data.pkl)");
}

TEST(Pickle, SelfReferenceIsHarmless) {
    // l = []; l.append(l): a cycle in the arena, no recursion anywhere.
    Result r =
        run(bytes("\x80\x02]q\x00h\x00"
                  "a."));
    EXPECT_EQ(r.p[r.root].items[0], r.root);
}

}  // namespace
}  // namespace hfx::test
